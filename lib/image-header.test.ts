import sharp from "sharp";
import { imageSize } from "image-size";
import { describe, expect, it } from "vitest";

import { limits } from "@/lib/config";
import { probeHeader } from "@/lib/image-header";
import { sniffImageType } from "@/lib/image-types";
import { expectCode } from "@/lib/testing/app-errors";
import { makeAvif, makeBombPng, makeGif, makeJpeg, makePng, makeTiff, makeWebp } from "@/lib/testing/fixtures";

/** The first part of an upload (PART_SIZE in lib/uploads.ts). */
const PART = 4 * 1024 * 1024;

/** Runs `fn` with MAX_IMAGE_PIXELS lowered, so tiny fixtures stand in for huge images. */
async function withMaxPixels<T>(maxPixels: number, fn: () => Promise<T>): Promise<T> {
  const saved = limits.maxPixels;
  limits.maxPixels = maxPixels;
  try {
    return await fn();
  } finally {
    limits.maxPixels = saved;
  }
}

/** What sharp's metadata() makes of a buffer: its reading, or the fact that it refused. */
async function sharpReads(head: Buffer) {
  return sharp(head, { limitInputPixels: false })
    .metadata()
    .then(
      (m) => ({ width: m.width, height: m.height, pages: m.pages ?? 1 }),
      () => "refused" as const,
    );
}

/** A JPEG whose metadata segments before the frame header (extended XMP, as some phones write) outgrow one part. */
async function jpegWithHugeMetadata(): Promise<Buffer> {
  const jpeg = await makeJpeg({ width: 64, height: 48 });
  const segment = Buffer.alloc(2 + 65_535, 0x20);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(65_535, 2);
  segment.write("http://ns.adobe.com/xmp/extension/\0", 4, "latin1");
  const segments = Array.from({ length: Math.ceil((PART + 1024 * 1024) / segment.length) }, () => segment);
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

describe("probeHeader", () => {
  it("rejects a decompression bomb from its first 64 KiB without decoding it", async () => {
    const bomb = await makeBombPng();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const head = bomb.subarray(0, 64 * 1024);
    expect(await sniffImageType({ head })).toEqual({ mime: "image/png", ext: "png" });
    // 64 KiB of a 900-megapixel image hold a small fraction of its rows: the size can only come from the header.
    expect(head.length).toBeLessThan(bomb.length / 1.5);
    const err = await expectCode(probeHeader({ head, mime: "image/png" }), "image_too_big");
    expect(err.message).toMatch(/30000 × 30000 pixels \(900 megapixels\)/);
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

  it("names the frames when an animation is over the budget", async () => {
    const gif = await makeGif({ frames: 4 });
    const err = await withMaxPixels(64 * 48 * 3, () => expectCode(probeHeader({ head: gif, mime: "image/gif" }), "image_too_big"));
    expect(err.message).toMatch(/^This animation has 4 frames of 64 × 48 pixels/);
    // A still image of the same size is within it.
    const png = await makePng({ width: 64, height: 48 });
    await expect(withMaxPixels(64 * 48 * 3, () => probeHeader({ head: png, mime: "image/png" }))).resolves.toEqual({
      width: 64,
      height: 48,
      pages: 1,
    });
  });

  it("reads a partial still WebP through image-size, which sharp refuses", async () => {
    const webp = await makeWebp({ width: 1500, height: 1000 });
    const head = webp.subarray(0, 4096);
    expect(await sharpReads(head)).toBe("refused");
    expect(imageSize(head)).toMatchObject({ width: 1500, height: 1000 });
    await expect(probeHeader({ head, mime: "image/webp" })).resolves.toEqual({ width: 1500, height: 1000, pages: 1 });
  });
});

// Each hand-written reader left in lib/image-header.ts is kept for a need measured here.
describe("what the maintained parsers cannot do on a partial head", () => {
  it("animated WebP: neither sharp nor image-size counts its frames, so probeHeader counts ANMF chunks", async () => {
    const webp = await makeWebp({ frames: 3 });
    const head = webp.subarray(0, webp.length - 1); // any partial file: the first part of a larger upload
    expect(await sharpReads(webp)).toEqual({ width: 64, height: 48, pages: 3 });
    expect(await sharpReads(head)).toBe("refused");
    const sized = imageSize(head);
    expect([sized.width, sized.height, sized.images]).toEqual([64, 48, undefined]);

    await expect(probeHeader({ head, mime: "image/webp" })).resolves.toEqual({ width: 64, height: 48, pages: 3 });
    // Sized by the canvas alone it would pass; counted, its three frames are over a two-frame budget.
    const err = await withMaxPixels(64 * 48 * 2, () => expectCode(probeHeader({ head, mime: "image/webp" }), "image_too_big"));
    expect(err.message).toMatch(/^This animation has 3 frames of 64 × 48 pixels/);
  });

  it("GIF needs no reader of its own: sharp counts the frames of a partial GIF once its first frame is whole", async () => {
    const gif = await makeGif({ frames: 4 });
    const head = gif.subarray(0, gif.length - 1); // without the trailer
    expect(await sharpReads(head)).toEqual({ width: 64, height: 48, pages: 4 });
    const err = await withMaxPixels(64 * 48 * 3, () => expectCode(probeHeader({ head, mime: "image/gif" }), "image_too_big"));
    expect(err.message).toMatch(/4 frames/);
    // Cut inside its first frame, sharp refuses it and image-size reads the screen size: one frame so far.
    const firstFrameCut = gif.subarray(0, 100);
    expect(await sharpReads(firstFrameCut)).toBe("refused");
    await expect(probeHeader({ head: firstFrameCut, mime: "image/gif" })).resolves.toEqual({ width: 64, height: 48, pages: 1 });
  });

  it("JPEG: a head cut inside its metadata waits for the full decode; garbage after SOI is refused now", async () => {
    const jpeg = await jpegWithHugeMetadata();
    expect(jpeg.length).toBeGreaterThan(PART);
    const head = jpeg.subarray(0, PART);
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(200, 0x42)]);
    // Both parsers fail alike on the two...
    expect(await sharpReads(head)).toBe("refused");
    expect(await sharpReads(garbage)).toBe("refused");
    expect(() => imageSize(head)).toThrow();
    expect(() => imageSize(garbage)).toThrow();
    // ...but only one of them is broken.
    await expect(probeHeader({ head, mime: "image/jpeg" })).resolves.toBeNull();
    await expectCode(probeHeader({ head: garbage, mime: "image/jpeg" }), "corrupt_image");
    // The whole file is a fine image.
    expect(await sharpReads(jpeg)).toEqual({ width: 64, height: 48, pages: 1 });
  });

  it("TIFF: a directory after the pixel data is beyond any parser's reach in the head, so the full decode judges", async () => {
    const tiff = await makeTiff({ width: 1500, height: 1000, compression: "none" });
    const head = tiff.subarray(0, PART);
    expect(head.length).toBeLessThan(tiff.length);
    expect(await sharpReads(head)).toBe("refused");
    expect(() => imageSize(head)).toThrow();
    await expect(probeHeader({ head, mime: "image/tiff" })).resolves.toBeNull();
    await expect(probeHeader({ head: tiff, mime: "image/tiff" })).resolves.toEqual({ width: 1500, height: 1000, pages: 1 });
  });
});
