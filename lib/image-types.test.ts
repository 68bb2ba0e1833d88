import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { ERROR_CODES } from "@/lib/errors";
import { ACCEPTED_TYPES, getAcceptedTypes, isHeicSupported, sniffImageType } from "@/lib/image-types";
import { expectCode } from "@/lib/testing/app-errors";
import {
  htmlBytes,
  makeAvif,
  makeGif,
  makeJpeg,
  makePng,
  makeTiff,
  makeWebp,
  pdfBytes,
  svgBytes,
} from "@/lib/testing/fixtures";

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

describe("the hand-written AVIF brand check", () => {
  it("is needed: file-type calls an AVIF whose major brand is the generic mif1 HEIF", async () => {
    const { fileTypeFromBuffer } = await import("file-type");
    const head = ftyp("mif1", ["mif1", "miaf", "avif"]);
    expect((await fileTypeFromBuffer(head))?.mime).toBe("image/heif");
    expect((await sniffImageType({ head })).mime).toBe("image/avif");
  });
});
