// Real images generated in memory for tests. No "server-only" here: tests and
// scripts import it directly.
import { randomBytes } from "node:crypto";
import { crc32, createDeflate } from "node:zlib";

import sharp, { type Exif, type Sharp } from "sharp";

type Size = { width: number; height: number };

/**
 * A deterministic, detailed pattern (gradients plus a checker) so encoders
 * produce realistic entropy and truncation cuts into real pixel data.
 */
function pattern({ width, height, channels = 3, seed = 0 }: Size & { channels?: 3 | 4; seed?: number }): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      const checker = ((x >> 4) + (y >> 4)) & 1 ? 40 : 0;
      data[o] = ((x * 255) / width + seed * 50) & 0xff;
      data[o + 1] = ((y * 255) / height + checker) & 0xff;
      data[o + 2] = ((x ^ y) + seed * 90) & 0xff;
      if (channels === 4) data[o + 3] = x < width / 2 ? 255 : 96;
    }
  }
  return data;
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace("#", ""), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** Equal vertical bands of the given colours, for palette tests. */
function bands({ width, height, colors }: Size & { colors: string[] }): Buffer {
  const rgb = colors.map(hexToRgb);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = rgb[Math.min(rgb.length - 1, Math.floor((x * rgb.length) / width))];
      data.set(c, (y * width + x) * 3);
    }
  }
  return data;
}

function rawImage({
  width,
  height,
  alpha = false,
  colors,
}: Size & { alpha?: boolean; colors?: string[] }): Sharp {
  const channels = alpha && !colors ? 4 : 3;
  const data = colors ? bands({ width, height, colors }) : pattern({ width, height, channels });
  return sharp(data, { raw: { width, height, channels } });
}

/** Decimal degrees to EXIF's degrees/minutes/seconds rationals. */
function toDms(value: number): string {
  const abs = Math.abs(value);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 10_000);
  return `${d}/1 ${m}/1 ${s}/10000`;
}

export type FixtureExif = {
  Make?: string;
  Model?: string;
  /** EXIF format, "YYYY:MM:DD HH:MM:SS". */
  DateTimeOriginal?: string;
  gps?: { latitude: number; longitude: number };
};

export async function makeJpeg({
  width,
  height,
  exif,
  orientation,
  colors,
  quality = 85,
}: Size & { exif?: FixtureExif; orientation?: number; colors?: string[]; quality?: number }): Promise<Buffer> {
  let image = rawImage({ width, height, colors }).jpeg({ quality });
  if (exif) {
    // sharp writes EXIF from strings: IFD0 = image, IFD2 = Exif sub-IFD, IFD3 = GPS.
    const tags: Exif = { IFD0: {}, IFD2: {}, IFD3: {} };
    if (exif.Make) tags.IFD0!.Make = exif.Make;
    if (exif.Model) tags.IFD0!.Model = exif.Model;
    if (exif.DateTimeOriginal) tags.IFD2!.DateTimeOriginal = exif.DateTimeOriginal;
    if (exif.gps) {
      Object.assign(tags.IFD3!, {
        GPSLatitudeRef: exif.gps.latitude < 0 ? "S" : "N",
        GPSLatitude: toDms(exif.gps.latitude),
        GPSLongitudeRef: exif.gps.longitude < 0 ? "W" : "E",
        GPSLongitude: toDms(exif.gps.longitude),
      });
    }
    image = image.withExif(tags);
  }
  // libvips rewrites the Orientation tag from its own field, so set it there.
  if (orientation) image = image.withMetadata({ orientation });
  return image.toBuffer();
}

export async function makePng({
  width,
  height,
  alpha = false,
  colors,
}: Size & { alpha?: boolean; colors?: string[] }): Promise<Buffer> {
  return rawImage({ width, height, alpha, colors }).png().toBuffer();
}

/**
 * Frames of one strip, each a different tint, as sharp expects for animated
 * output. `posterise` keeps 64 colours so GIF quantisation is instant.
 */
function frameStrip({
  width,
  height,
  frames,
  posterise = false,
}: Size & { frames: number; posterise?: boolean }): Sharp {
  const frameBytes = width * height * 3;
  const data = Buffer.alloc(frameBytes * frames);
  for (let f = 0; f < frames; f++) pattern({ width, height, seed: f }).copy(data, f * frameBytes);
  if (posterise) for (let i = 0; i < data.length; i++) data[i] &= 0xc0;
  return sharp(data, { raw: { width, height: height * frames, channels: 3, pageHeight: height } });
}

/** An animated GIF when frames > 1. */
export async function makeGif({
  frames = 3,
  width = 64,
  height = 48,
}: Partial<Size> & { frames?: number } = {}): Promise<Buffer> {
  return frameStrip({ width, height, frames, posterise: true })
    .gif({ effort: 1, dither: 0, delay: Array.from({ length: frames }, () => 100), loop: 0 })
    .toBuffer();
}

/** A still WebP, or an animated one when frames > 1. */
export async function makeWebp({
  width = 64,
  height = 48,
  frames = 1,
  alpha = false,
}: Partial<Size> & { frames?: number; alpha?: boolean } = {}): Promise<Buffer> {
  if (frames > 1) {
    return frameStrip({ width, height, frames })
      .webp({ delay: Array.from({ length: frames }, () => 100), loop: 0 })
      .toBuffer();
  }
  return rawImage({ width, height, alpha }).webp().toBuffer();
}

export async function makeAvif({ width = 64, height = 48 }: Partial<Size> = {}): Promise<Buffer> {
  return rawImage({ width, height }).avif({ effort: 0 }).toBuffer();
}

export async function makeTiff({
  width = 64,
  height = 48,
  compression = "lzw",
}: Partial<Size> & { compression?: "none" | "lzw" | "deflate" | "jpeg" } = {}): Promise<Buffer> {
  return rawImage({ width, height }).tiff({ compression }).toBuffer();
}

/** The first `keepFraction` of a file, as a broken upload or a cut-off download leaves it. */
export function truncated(buf: Buffer, keepFraction: number): Buffer {
  return Buffer.from(buf.subarray(0, Math.floor(buf.length * keepFraction)));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const bombs = new Map<string, Promise<Buffer>>();

/**
 * A valid, fully decodable PNG whose header claims width×height pixels
 * (default 30000×30000 = 900 MP) but which weighs only ~110 KB. sharp refuses
 * to even create an image that size, so it is built by hand: 1-bit greyscale
 * rows of zeros, deflated as a stream so the 112 MB of raw rows never exist at
 * once. Cached per size.
 */
export function makeBombPng({ width = 30_000, height = 30_000 }: Partial<Size> = {}): Promise<Buffer> {
  const key = `${width}x${height}`;
  let bomb = bombs.get(key);
  if (!bomb) {
    bomb = buildBomb({ width, height });
    bombs.set(key, bomb);
  }
  return bomb;
}

async function buildBomb({ width, height }: Size): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale; compression, filter and interlace stay 0

  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const rowsPerWrite = 256;
  const block = Buffer.alloc(rowBytes * rowsPerWrite);
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  for (let rows = 0; rows < height; rows += rowsPerWrite) {
    const n = Math.min(rowsPerWrite, height - rows);
    if (!deflate.write(n === rowsPerWrite ? block : block.subarray(0, rowBytes * n))) {
      await new Promise((resolve) => deflate.once("drain", resolve));
    }
  }
  deflate.end();
  await ended;
  const idat = Buffer.concat(out);

  const chunks = [pngChunk("IHDR", ihdr)];
  for (let pos = 0; pos < idat.length; pos += 64 * 1024) {
    chunks.push(pngChunk("IDAT", idat.subarray(pos, pos + 64 * 1024)));
  }
  chunks.push(pngChunk("IEND", Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/** SVG with a script: exactly what must never be served back as an image. */
export const svgBytes = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
    '<script>alert(document.cookie)</script><rect width="10" height="10" fill="red"/></svg>\n',
);

export const htmlBytes = Buffer.from(
  "<!DOCTYPE html>\n<html><head><title>x</title></head><body><img src=x onerror=alert(1)></body></html>\n",
);

/** A minimal, well-formed one-page PDF. */
export const pdfBytes = Buffer.from(
  "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" +
    "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n" +
    "trailer<</Root 1 0 R>>\n%%EOF\n",
  "latin1",
);

/** Everything a blob read yields, in one buffer. */
export async function readAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

/** A JPEG bigger than one 4 MiB upload part: noise does not compress. */
export async function bigNoiseJpeg(): Promise<Buffer> {
  const raw = randomBytes(2400 * 1800 * 3);
  return sharp(raw, { raw: { width: 2400, height: 1800, channels: 3 } }).jpeg({ quality: 100 }).toBuffer();
}
