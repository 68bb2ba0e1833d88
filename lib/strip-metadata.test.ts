import sharp from "sharp";
import { describe, expect, it } from "vitest";

import { canStrip, stripMetadata, strippedSize } from "@/lib/strip-metadata";
import { exiftoolTags, revealing } from "@/lib/testing/exiftool";
import { makeGif, makeJpeg, makePng } from "@/lib/testing/fixtures";

const EXIF = { Make: "Acme", Model: "Snapper 9", DateTimeOriginal: "2024:05:06 07:08:09", gps: { latitude: 48.8584, longitude: 2.2945 } };

/** Feeds the bytes in small, odd pieces so every header straddles a boundary somewhere. */
async function* pieces(bytes: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function strip(mime: string, bytes: Buffer, pieceSize = 7): Promise<Buffer> {
  const size = await strippedSize({ mime, source: pieces(bytes, pieceSize) });
  const parts: Buffer[] = [];
  for await (const p of stripMetadata({ mime, source: pieces(bytes, pieceSize), size })) parts.push(p);
  const out = Buffer.concat(parts);
  expect(out.length).toBe(size);
  return out;
}

async function samePixels(a: Buffer, b: Buffer) {
  const [x, y] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()]);
  expect(x.equals(y)).toBe(true);
}

describe("lossless metadata stripping", () => {
  it("JPEG: drops Exif, GPS, XMP and comments, keeps the ICC profile and the coded data", async () => {
    const base = await makeJpeg({ width: 64, height: 48, exif: EXIF });
    const withIcc = await sharp(base).keepExif().withIccProfile("p3").jpeg({ quality: 90 }).toBuffer();
    // A comment and an XMP packet as well, spliced in after SOI, plus a vendor trailer after EOI.
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x0d]), Buffer.from("secret note")]);
    const xmpBody = Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="XmpMake"/></rdf:RDF></x:xmpmeta>');
    const xmp = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.from([(xmpBody.length + 2) >> 8, (xmpBody.length + 2) & 0xff]), xmpBody]);
    const input = Buffer.concat([withIcc.subarray(0, 2), com, xmp, withIcc.subarray(2), Buffer.from("TRAILER with Exif")]);
    expect(revealing(exiftoolTags(input)).length).toBeGreaterThan(3);

    for (const pieceSize of [1, 7, 4096]) {
      const out = await strip("image/jpeg", input, pieceSize);
      const tags = exiftoolTags(out);
      expect(revealing(tags)).toEqual([]);
      expect(Object.keys(tags).some((k) => k.startsWith("ICC_Profile:"))).toBe(true);
      expect(out.subarray(-2).equals(Buffer.from([0xff, 0xd9]))).toBe(true);
      await samePixels(input, out);
    }
  });

  it("PNG: drops eXIf and text chunks, keeps the image", async () => {
    const png = await sharp(await makePng({ width: 40, height: 30 })).withExif({ IFD0: { Make: "Acme", Model: "Snapper 9" } }).png().toBuffer();
    const text = (key: string, value: string) => {
      const data = Buffer.from(`${key}\0${value}`, "latin1");
      const chunk = Buffer.alloc(12 + data.length);
      chunk.writeUInt32BE(data.length, 0);
      chunk.write("tEXt", 4, "latin1");
      data.copy(chunk, 8);
      return chunk; // CRC left zero: exiftool still reads it, a decoder skips ancillary chunks
    };
    const input = Buffer.concat([png.subarray(0, 33), text("Comment", "GPS 48.85 2.29"), png.subarray(33)]);
    expect(revealing(exiftoolTags(input)).length).toBeGreaterThan(0);
    const out = await strip("image/png", input);
    expect(revealing(exiftoolTags(out))).toEqual([]);
    await samePixels(png, out);
  });

  it("WebP: drops EXIF and XMP chunks, clears the VP8X flags, fixes the RIFF size", async () => {
    const webp = await sharp(await makePng({ width: 40, height: 30 }))
      .withExif({ IFD0: { Make: "Acme", Model: "Snapper 9" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 0/1" } })
      .webp({ lossless: true })
      .toBuffer();
    expect(revealing(exiftoolTags(webp)).length).toBeGreaterThan(0);
    const out = await strip("image/webp", webp);
    expect(out.readUInt32LE(4)).toBe(out.length - 8);
    expect(out[20] & 0x0c).toBe(0);
    const tags = exiftoolTags(out);
    expect(revealing(tags)).toEqual([]);
    expect(Object.keys(tags).some((k) => /Warning|Error/.test(k))).toBe(false);
    await samePixels(webp, out);
  });

  it("GIF: drops comments and application blocks but keeps the NETSCAPE loop", async () => {
    const gif = await makeGif({ frames: 2 });
    const packed = gif[10];
    const afterTable = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
    const comment = Buffer.concat([Buffer.from([0x21, 0xfe, 10]), Buffer.from("GPS secret"), Buffer.from([0])]);
    const xmpApp = Buffer.concat([Buffer.from([0x21, 0xff, 11]), Buffer.from("XMP DataXMP"), Buffer.from([5]), Buffer.from("hello"), Buffer.from([0])]);
    const input = Buffer.concat([gif.subarray(0, afterTable), comment, xmpApp, gif.subarray(afterTable)]);
    expect(revealing(exiftoolTags(input)).length).toBeGreaterThan(0);
    const out = await strip("image/gif", input, 3);
    expect(revealing(exiftoolTags(out))).toEqual([]);
    expect(out.includes(Buffer.from("NETSCAPE2.0"))).toBe(gif.includes(Buffer.from("NETSCAPE2.0")));
    expect(out.equals(gif)).toBe(true);
  });

  it("refuses what it cannot strip, and damaged input, with typed errors", async () => {
    expect(canStrip({ mime: "image/avif" })).toBe(false);
    expect(canStrip({ mime: "image/tiff" })).toBe(false);
    expect(() => stripMetadata({ mime: "image/avif", source: pieces(Buffer.alloc(10)) })).toThrow(expect.objectContaining({ code: "unsupported_type" }));
    const jpeg = await makeJpeg({ width: 16, height: 16 });
    await expect(strippedSize({ mime: "image/jpeg", source: pieces(jpeg.subarray(0, 300)) })).rejects.toMatchObject({ code: "corrupt_image" });
    await expect(strippedSize({ mime: "image/png", source: pieces(Buffer.from("not a png at all")) })).rejects.toMatchObject({ code: "corrupt_image" });
  });
});
