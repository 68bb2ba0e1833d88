import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

import sharp from "sharp";
import { describe, expect, it } from "vitest";

import { analyzeImage } from "@/lib/analyze";
import { AppError, ERROR_CODES } from "@/lib/errors";
import { expectCode } from "@/lib/testing/app-errors";
import { makeAvif, makeBombPng, makeGif, makeJpeg, makePng, makeTiff, makeWebp, truncated } from "@/lib/testing/fixtures";

/** Feeds a buffer in upload-sized pieces, as decryption does. */
function streamOf(buf: Buffer, chunkSize = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) parts.push(buf.subarray(i, i + chunkSize));
  return Readable.from(parts);
}

describe("analyzeImage", () => {
  it("rejects the bomb in analyzeImage too, before decoding", async () => {
    const bomb = await makeBombPng();
    const err = await expectCode(analyzeImage({ source: streamOf(bomb), mime: "image/png" }), "image_too_big");
    expect(err.message).toMatch(/more than 100 megapixels/);
    // sharp's limitInputPixels, which it checks against the header's size before reading any pixel
    expect(String((err.cause as Error | undefined)?.message)).toMatch(/exceeds pixel limit/);
  });

  it("shows a rotated photo upright: EXIF orientation 6 on 200×100", async () => {
    const jpeg = await makeJpeg({ width: 200, height: 100, orientation: 6 });
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const result = await analyzeImage({ source: streamOf(jpeg), mime: "image/jpeg" });
    expect([result.width, result.height]).toEqual([100, 200]);
    expect(result.meta.exif.Orientation).toBe(6);
    const thumb = await sharp(result.thumb).metadata();
    expect(thumb.format).toBe("webp");
    expect(thumb.height).toBeGreaterThan(thumb.width);
    const preview = await sharp(result.preview).metadata();
    expect([preview.width, preview.height]).toEqual([100, 200]);
  });

  it("fits the thumbnail in 400 px and the preview in 1600 px", async () => {
    const jpeg = await makeJpeg({ width: 3000, height: 2000 });
    const result = await analyzeImage({ source: streamOf(jpeg), mime: "image/jpeg" });
    expect([result.width, result.height, result.mime]).toEqual([3000, 2000, "image/jpeg"]);
    const thumb = await sharp(result.thumb).metadata();
    const preview = await sharp(result.preview).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(["webp", 400, 267]);
    expect([preview.format, preview.width, preview.height]).toEqual(["webp", 1600, 1067]);
    expect(result.meta).toMatchObject({ format: "jpeg", pages: 1, hasAlpha: false, gps: null });
    // lib/palette.test.ts tests the colours themselves
    expect(result.meta.palette).toHaveLength(5);
  });

  it("never enlarges a small image", async () => {
    const png = await makePng({ width: 120, height: 80, alpha: true });
    const result = await analyzeImage({ source: streamOf(png), mime: "image/png" });
    const thumb = await sharp(result.thumb).metadata();
    expect([thumb.width, thumb.height, thumb.hasAlpha]).toEqual([120, 80, true]);
    expect(result.meta.hasAlpha).toBe(true);
  });

  it("makes the preview, thumbnail and palette from one decode in sRGB: transparency kept, CMYK and 16-bit converted", async () => {
    const size = { width: 800, height: 600 };
    const cases = [
      { mime: "image/png", bytes: await sharp({ create: { ...size, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer(), mean: [0, 0, 255, 128] },
      { mime: "image/jpeg", bytes: await sharp({ create: { ...size, channels: 3, background: "#c03020" } }).toColourspace("cmyk").jpeg().toBuffer(), mean: [192, 40, 20] },
      { mime: "image/png", bytes: await sharp({ create: { ...size, channels: 3, background: "#c03020" } }).toColourspace("rgb16").png().toBuffer(), mean: [192, 48, 32] },
      { mime: "image/png", bytes: await sharp({ create: { ...size, channels: 3, background: "#808080" } }).greyscale().png().toBuffer(), mean: [128, 128, 128] },
    ];
    for (const c of cases) {
      const result = await analyzeImage({ source: streamOf(c.bytes), mime: c.mime });
      for (const derived of [result.preview, result.thumb]) {
        const { channels } = await sharp(derived).stats();
        expect(channels).toHaveLength(c.mean.length);
        channels.forEach((ch, i) => expect(Math.abs(ch.mean - c.mean[i])).toBeLessThan(16));
      }
      expect(result.meta.palette[0]).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it("keeps an animated GIF animated in the preview, with a still thumbnail", async () => {
    const gif = await makeGif({ frames: 4, width: 80, height: 60 });
    const result = await analyzeImage({ source: streamOf(gif, 500), mime: "image/gif" });
    expect([result.width, result.height]).toEqual([80, 60]);
    expect(result.meta.pages).toBe(4);
    const preview = await sharp(result.preview).metadata();
    expect(preview.pages).toBeGreaterThan(1);
    expect(preview.pageHeight ?? preview.height).toBe(60);
    const thumb = await sharp(result.thumb).metadata();
    expect([thumb.pages ?? 1, thumb.width, thumb.height]).toEqual([1, 80, 60]);
  });

  it("keeps an animated WebP animated", async () => {
    const webp = await makeWebp({ frames: 3, width: 50, height: 40 });
    const result = await analyzeImage({ source: streamOf(webp), mime: "image/webp" });
    expect([result.width, result.height, result.meta.pages]).toEqual([50, 40, 3]);
    expect((await sharp(result.preview).metadata()).pages).toBe(3);
  });

  it.each([
    ["image/png", () => makePng({ width: 64, height: 48 })],
    ["image/webp", () => makeWebp()],
    ["image/avif", () => makeAvif()],
    ["image/tiff", () => makeTiff()],
  ])("analyses %s", async (mime, make) => {
    const result = await analyzeImage({ source: streamOf(await make()), mime });
    expect([result.width, result.height]).toEqual([64, 48]);
    expect(result.thumb.length).toBeGreaterThan(0);
    expect(result.preview.length).toBeGreaterThan(0);
  });

  it("round-trips EXIF Make, Model, DateTimeOriginal and GPS, keeping GPS apart", async () => {
    const jpeg = await makeJpeg({
      width: 64,
      height: 48,
      exif: {
        Make: "Acme",
        Model: "Snapper 3000",
        DateTimeOriginal: "2024:05:06 07:08:09",
        gps: { latitude: 48.8566, longitude: -2.3522 },
      },
    });
    const result = await analyzeImage({ source: streamOf(jpeg), mime: "image/jpeg" });
    expect(result.meta.exif).toMatchObject({
      Make: "Acme",
      Model: "Snapper 3000",
      DateTimeOriginal: "2024-05-06T07:08:09",
    });
    expect(result.meta.exif).not.toHaveProperty("gps");
    expect(result.meta.gps?.latitude).toBeCloseTo(48.8566, 4);
    expect(result.meta.gps?.longitude).toBeCloseTo(-2.3522, 4);
    // JSON-safe: survives a round trip unchanged, no Buffers or NaN
    expect(JSON.parse(JSON.stringify(result.meta))).toEqual(result.meta);
    // derived images carry no metadata at all, so they cannot leak a location
    expect((await sharp(result.preview).metadata()).exif).toBeUndefined();
    expect((await sharp(result.thumb).metadata()).exif).toBeUndefined();
  });

  it("has an empty EXIF digest for images without EXIF", async () => {
    const png = await makePng({ width: 20, height: 20 });
    const result = await analyzeImage({ source: streamOf(png), mime: "image/png" });
    expect(result.meta.exif).toEqual({});
    expect(result.meta.gps).toBeNull();
  });

  it.each([
    ["JPEG", "image/jpeg", () => makeJpeg({ width: 600, height: 400 })],
    ["PNG", "image/png", () => makePng({ width: 600, height: 400 })],
    ["WebP", "image/webp", () => makeWebp({ width: 600, height: 400 })],
    ["TIFF", "image/tiff", () => makeTiff({ width: 600, height: 400 })],
  ])("reports a truncated %s as corrupt_image", async (_name, mime, make) => {
    const cut = truncated(await make(), 0.6);
    const err = await expectCode(analyzeImage({ source: streamOf(cut), mime }), "corrupt_image");
    expect(err.message).toBe(ERROR_CODES.corrupt_image);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("reports bytes that are not an image at all as corrupt_image", async () => {
    await expectCode(analyzeImage({ source: streamOf(randomBytes(10_000)), mime: "image/jpeg" }), "corrupt_image");
  });

  it("rejects an empty stream as empty_file", async () => {
    await expectCode(analyzeImage({ source: Readable.from([]), mime: "image/png" }), "empty_file");
  });

  it("passes a failure of the source through unchanged", async () => {
    const jpeg = await makeJpeg({ width: 300, height: 200 });
    async function* failing() {
      yield jpeg.subarray(0, 1000);
      throw new AppError("integrity");
    }
    await expectCode(analyzeImage({ source: failing(), mime: "image/jpeg" }), "integrity");
  });

  it("accepts an async iterable of Uint8Array chunks", async () => {
    const png = await makePng({ width: 40, height: 30 });
    async function* chunks() {
      for (let i = 0; i < png.length; i += 100) yield new Uint8Array(png.subarray(i, i + 100));
    }
    const result = await analyzeImage({ source: chunks(), mime: "image/png" });
    expect([result.width, result.height]).toEqual([40, 30]);
  });
});
