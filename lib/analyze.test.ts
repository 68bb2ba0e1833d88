import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

import sharp from "sharp";
import { describe, expect, it } from "vitest";

import {
  ACCEPTED_TYPES,
  analyzeImage,
  getAcceptedTypes,
  isHeicSupported,
  probeHeader,
  sniffImageType,
} from "@/lib/analyze";
import { AppError, ERROR_CODES, type ErrorCode } from "@/lib/errors";
import {
  htmlBytes,
  makeAvif,
  makeBombPng,
  makeGif,
  makeJpeg,
  makePng,
  makeTiff,
  makeWebp,
  pdfBytes,
  svgBytes,
  truncated,
} from "@/lib/testing/fixtures";

/** Feeds a buffer in upload-sized pieces, as decryption does. */
function streamOf(buf: Buffer, chunkSize = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) parts.push(buf.subarray(i, i + chunkSize));
  return Readable.from(parts);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected the call to fail").toBeInstanceOf(AppError);
  return err as AppError;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const err = await rejection(promise);
  expect(err.code).toBe(code);
  // the decoder's own words never reach a person
  expect(err.message).not.toMatch(/vips|libpng|jpeg:|gifload|heif:|source:|Input buffer/i);
  return err;
}

/** A minimal ISO-BMFF `ftyp` box, enough for brand-based sniffing. */
function ftyp(major: string, compatible: string[]): Buffer {
  const brands = compatible.map((b) => Buffer.from(b, "latin1"));
  const body = Buffer.concat([Buffer.from(major, "latin1"), Buffer.alloc(4), ...brands]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write("ftyp", 4, "latin1");
  return Buffer.concat([head, body, Buffer.alloc(64)]);
}

describe("sniffImageType", () => {
  it.each([
    ["image/jpeg", "jpg", () => makeJpeg({ width: 32, height: 24 })],
    ["image/png", "png", () => makePng({ width: 32, height: 24 })],
    ["image/gif", "gif", () => makeGif({ frames: 2 })],
    ["image/webp", "webp", () => makeWebp()],
    ["image/webp", "webp", () => makeWebp({ frames: 3 })],
    ["image/avif", "avif", () => makeAvif()],
    ["image/tiff", "tif", () => makeTiff()],
  ])("recognises %s from its bytes", async (mime, ext, make) => {
    const bytes = await make();
    await expect(sniffImageType({ head: bytes })).resolves.toEqual({ mime, ext });
    // the first few KiB are enough, as with the first part of an upload
    await expect(sniffImageType({ head: bytes.subarray(0, 4096) })).resolves.toEqual({ mime, ext });
  });

  it("accepts only the documented types", async () => {
    expect([...ACCEPTED_TYPES]).toEqual([
      "image/jpeg",
      "image/png",
      "image/gif",
      "image/webp",
      "image/avif",
      "image/tiff",
    ]);
    const all = await getAcceptedTypes();
    expect(all.includes("image/heic")).toBe(await isHeicSupported());
  });

  it("tells AVIF from HEIC by brand", async () => {
    await expect(sniffImageType({ head: ftyp("mif1", ["mif1", "miaf", "avif"]) })).resolves.toEqual({
      mime: "image/avif",
      ext: "avif",
    });
    const heic = sniffImageType({ head: ftyp("heic", ["mif1", "heic"]) });
    if (await isHeicSupported()) {
      await expect(heic).resolves.toEqual({ mime: "image/heic", ext: "heic" });
    } else {
      const err = await expectCode(heic, "unsupported_type");
      expect(err.message).toMatch(/HEIC is not supported by this server's image library/);
    }
  });

  it.each([
    ["SVG", svgBytes, /^SVG images are not supported/],
    ["SVG without XML declaration", Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg"/>'), /^SVG images/],
    ["HTML", htmlBytes, /^HTML files are not supported/],
    ["PDF", pdfBytes, /^PDF files are not supported/],
    ["random bytes", randomBytes(4096), /not a recognised image/],
    ["plain text", Buffer.from("hello, this is not an image\n"), /not a recognised image/],
    ["ZIP", Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(100)]), /^ZIP archives are not supported/],
  ])("rejects %s as unsupported_type with a useful message", async (_name, head, message) => {
    const err = await expectCode(sniffImageType({ head }), "unsupported_type");
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/Upload a JPEG, PNG/);
  });

  it("rejects an empty file", async () => {
    const err = await expectCode(sniffImageType({ head: Buffer.alloc(0) }), "empty_file");
    expect(err.message).toBe(ERROR_CODES.empty_file);
  });
});

describe("probeHeader", () => {
  it("rejects a decompression bomb from its first 64 KiB without decoding it", async () => {
    const bomb = await makeBombPng();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const head = bomb.subarray(0, 64 * 1024);
    expect(await sniffImageType({ head })).toEqual({ mime: "image/png", ext: "png" });

    const started = performance.now();
    const err = await expectCode(probeHeader({ head, mime: "image/png" }), "image_too_big");
    const elapsed = performance.now() - started;
    console.info(`bomb (30000×30000, ${bomb.length} bytes) rejected by probeHeader in ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(500);
    expect(err.message).toMatch(/30000 × 30000 pixels \(900 megapixels\)/);
  });

  it("rejects the bomb in analyzeImage too, before decoding", async () => {
    const bomb = await makeBombPng();
    const started = performance.now();
    await expectCode(analyzeImage({ source: streamOf(bomb), mime: "image/png" }), "image_too_big");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("counts every frame of an animation against the pixel budget", async () => {
    // 64×48 frames are tiny; the check multiplies by pages only for formats decoded whole
    const gif = await makeGif({ frames: 4 });
    await expect(probeHeader({ head: gif, mime: "image/gif" })).resolves.toEqual({ width: 64, height: 48, pages: 4 });
  });

  it("reads sizes from the first part of large files of every type", async () => {
    const size = { width: 1500, height: 1000 };
    const cases: [string, Buffer][] = [
      ["image/jpeg", await makeJpeg(size)],
      ["image/png", await makePng(size)],
      ["image/webp", await makeWebp(size)],
      ["image/webp", await makeWebp({ ...size, frames: 3 })],
      ["image/gif", await makeGif({ ...size, frames: 2 })],
      ["image/avif", await makeAvif(size)],
      ["image/tiff", await makeTiff({ ...size, compression: "none" })],
    ];
    for (const [mime, bytes] of cases) {
      const head = bytes.subarray(0, Math.floor(bytes.length / 2));
      const header = await probeHeader({ head, mime });
      if (header === null) {
        // libvips writes the TIFF directory after the pixels; nothing to judge yet
        expect(mime).toBe("image/tiff");
      } else {
        expect([mime, header.width, header.height]).toEqual([mime, 1500, 1000]);
      }
    }
  });

  it("reports an unreadable header as corrupt_image", async () => {
    const png = await makePng({ width: 32, height: 24 });
    const broken = Buffer.from(png);
    broken.write("XXXX", 12, "latin1"); // IHDR chunk type
    await expectCode(probeHeader({ head: broken, mime: "image/png" }), "corrupt_image");
    const garbageAfterSoi = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(200, 0x42)]);
    await expectCode(probeHeader({ head: garbageAfterSoi, mime: "image/jpeg" }), "corrupt_image");
    const unknownWebpChunk = Buffer.from("RIFF\0\0\0\0WEBPXXXX" + "\0".repeat(40), "latin1");
    await expectCode(probeHeader({ head: unknownWebpChunk, mime: "image/webp" }), "corrupt_image");
    await expectCode(probeHeader({ head: Buffer.alloc(0), mime: "image/png" }), "empty_file");
  });
});

describe("analyzeImage", () => {
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
  });

  it("never enlarges a small image", async () => {
    const png = await makePng({ width: 120, height: 80, alpha: true });
    const result = await analyzeImage({ source: streamOf(png), mime: "image/png" });
    const thumb = await sharp(result.thumb).metadata();
    expect([thumb.width, thumb.height, thumb.hasAlpha]).toEqual([120, 80, true]);
    expect(result.meta.hasAlpha).toBe(true);
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

  it("finds the dominant colours as hex", async () => {
    const png = await makePng({ width: 300, height: 100, colors: ["#ff0000", "#0000ff", "#00ff00"] });
    const { meta } = await analyzeImage({ source: streamOf(png), mime: "image/png" });
    expect(meta.palette.length).toBeGreaterThanOrEqual(3);
    expect(meta.palette.length).toBeLessThanOrEqual(5);
    for (const c of meta.palette) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(meta.palette).toEqual(expect.arrayContaining(["#ff0000", "#0000ff", "#00ff00"]));

    const photo = await makeJpeg({ width: 400, height: 300 });
    const rich = await analyzeImage({ source: streamOf(photo), mime: "image/jpeg" });
    expect(rich.meta.palette).toHaveLength(5);
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
