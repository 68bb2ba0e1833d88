import sharp, { type Exif } from "sharp";
import { describe, expect, it } from "vitest";

import { readExif } from "@/lib/exif";

/** The raw EXIF block of a real JPEG carrying `tags`, as sharp's metadata() hands it to readExif. */
async function exifBlock(tags: Exif): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
    .jpeg()
    .withExif(tags)
    .toBuffer();
  const { exif } = await sharp(jpeg).metadata();
  expect(exif?.subarray(0, 6).toString("latin1")).toBe("Exif\0\0");
  return exif!;
}

describe("readExif", () => {
  it("digests camera, lens and exposure, with the date as the camera's wall clock and its offset", async () => {
    const raw = await exifBlock({
      IFD0: { Make: "Acme", Model: "Snapper 3000" },
      IFD2: {
        DateTimeOriginal: "2024:05:06 07:08:09",
        OffsetTimeOriginal: "+02:00",
        ExposureTime: "1/250",
        FNumber: "28/10",
        ISOSpeedRatings: "400",
        FocalLength: "50/1",
        LensModel: "Wide 50",
      },
    });
    const { exif, gps } = readExif({ raw, orientation: 6 });
    expect(exif).toEqual({
      Make: "Acme",
      Model: "Snapper 3000",
      LensModel: "Wide 50",
      DateTimeOriginal: "2024-05-06T07:08:09+02:00",
      ExposureTime: 0.004,
      FNumber: 2.8,
      ISO: 400,
      FocalLength: 50,
      Orientation: 6,
    });
    expect(gps).toBeNull();
    // JSON-safe: survives a round trip unchanged
    expect(JSON.parse(JSON.stringify(exif))).toEqual(exif);
  });

  it("keeps the wall clock without an offset when the camera recorded none", async () => {
    const raw = await exifBlock({ IFD2: { DateTimeOriginal: "2021:12:31 23:59:58" } });
    expect(readExif({ raw, orientation: undefined }).exif.DateTimeOriginal).toBe("2021-12-31T23:59:58");
  });

  it("signs GPS south and west, and keeps it apart from the digest", async () => {
    const raw = await exifBlock({
      IFD3: { GPSLatitudeRef: "S", GPSLatitude: "33/1 52/1 0/1", GPSLongitudeRef: "W", GPSLongitude: "70/1 30/1 0/1" },
    });
    const { exif, gps } = readExif({ raw, orientation: undefined });
    expect(gps?.latitude).toBeCloseTo(-(33 + 52 / 60), 6);
    expect(gps?.longitude).toBe(-70.5);
    expect(JSON.stringify(exif)).not.toMatch(/GPS|33|70/);
  });

  it("drops a position out of range rather than storing a wrong one", async () => {
    const raw = await exifBlock({
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "95/1 0/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "10/1 0/1 0/1" },
    });
    expect(readExif({ raw, orientation: undefined }).gps).toBeNull();
  });

  it("strips control characters and padding from strings", async () => {
    const raw = await exifBlock({ IFD0: { Make: "Ac\u0001me\u0007  ", Model: "\u0002\u0003" } });
    const { exif } = readExif({ raw, orientation: undefined });
    expect(exif.Make).toBe("Acme");
    expect(exif).not.toHaveProperty("Model");
  });

  it("keeps only a valid orientation", () => {
    expect(readExif({ raw: undefined, orientation: 8 }).exif).toEqual({ Orientation: 8 });
    expect(readExif({ raw: undefined, orientation: 0 }).exif).toEqual({});
    expect(readExif({ raw: undefined, orientation: 9 }).exif).toEqual({});
  });

  it("gives an empty digest for damaged or missing EXIF instead of failing", async () => {
    const raw = await exifBlock({ IFD0: { Make: "Acme" } });
    const damaged = Buffer.from(raw.subarray(0, 12));
    expect(readExif({ raw: damaged, orientation: 3 })).toEqual({ exif: { Orientation: 3 }, gps: null });
    expect(readExif({ raw: Buffer.from("not exif at all"), orientation: undefined })).toEqual({ exif: {}, gps: null });
    expect(readExif({ raw: Buffer.alloc(0), orientation: undefined })).toEqual({ exif: {}, gps: null });
  });
});
