import "server-only";

import { Transform, type TransformCallback, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import exifReader from "exif-reader";
import { fileTypeFromBuffer } from "file-type";
import sharp, { type Metadata, type Sharp } from "sharp";

import { limits } from "@/lib/config";
import { decodeQueue } from "@/lib/decode-queue";
import { AppError } from "@/lib/errors";

// libvips' operation cache keeps decoded images of earlier requests alive; every
// upload is processed once, so the cache only costs memory.
sharp.cache(false);

/** Types accepted on every server. HEIC/HEIF come on top when the image library can decode them. */
export const ACCEPTED_TYPES = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/tiff",
] as const;

export const HEIC_TYPES = ["image/heic", "image/heif"] as const;

export type AcceptedMime = (typeof ACCEPTED_TYPES)[number] | (typeof HEIC_TYPES)[number];

const EXTENSIONS: Record<AcceptedMime, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/tiff": "tif",
  "image/heic": "heic",
  "image/heif": "heif",
};

const HEIC_UNSUPPORTED =
  "HEIC is not supported by this server's image library. Convert the photo to JPEG and try again.";

let heicSupport: Promise<boolean> | undefined;

/**
 * Whether the installed sharp/libvips can decode HEIC. The prebuilt sharp
 * binaries ship libheif without an HEVC codec (patent licensing), so
 * `format.heif.input` alone says nothing about HEIC. We prove it by encoding
 * a tiny HEVC image and decoding it back; the answer is cached for the process.
 */
export function isHeicSupported(): Promise<boolean> {
  heicSupport ??= detectHeic();
  return heicSupport;
}

async function detectHeic(): Promise<boolean> {
  if (!sharp.format.heif?.input?.buffer) return false;
  try {
    const sample = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
      .heif({ compression: "hevc" })
      .toBuffer();
    const { data, info } = await sharp(sample).raw().toBuffer({ resolveWithObject: true });
    return info.width === 8 && data.length > 0;
  } catch {
    return false;
  }
}

/** Every type this server accepts, including HEIC/HEIF when the image library decodes them. */
export async function getAcceptedTypes(): Promise<readonly AcceptedMime[]> {
  return (await isHeicSupported()) ? [...ACCEPTED_TYPES, ...HEIC_TYPES] : ACCEPTED_TYPES;
}

async function acceptedList(): Promise<string> {
  return (await isHeicSupported()) ? "JPEG, PNG, GIF, WebP, AVIF, TIFF or HEIC" : "JPEG, PNG, GIF, WebP, AVIF or TIFF";
}

// ---------------------------------------------------------------------------
// Type sniffing
// ---------------------------------------------------------------------------

/** Human names for things people commonly try to upload, so a refusal says what we saw. */
function describeUnsupported(mime: string, ext: string): string {
  const known: Record<string, string> = {
    "application/pdf": "PDF files",
    "application/xml": "XML files",
    "image/bmp": "BMP images",
    "image/x-icon": "Icon (ICO) files",
    "image/jxl": "JPEG XL images",
    "image/jp2": "JPEG 2000 images",
    "image/jpx": "JPEG 2000 images",
    "image/jpm": "JPEG 2000 images",
    "image/j2c": "JPEG 2000 images",
    "image/vnd.adobe.photoshop": "Photoshop (PSD) files",
    "image/vnd.ms-photo": "JPEG XR images",
    "image/x-xcf": "GIMP (XCF) files",
    "image/icns": "Apple icon (ICNS) files",
    "image/flif": "FLIF images",
    "image/bpg": "BPG images",
    "application/zip": "ZIP archives",
    "application/gzip": "Gzip archives",
    "application/x-rar-compressed": "RAR archives",
    "application/x-7z-compressed": "7-Zip archives",
  };
  if (known[mime]) return known[mime];
  if (/^image\/x-(canon|nikon|adobe-dng|sony|fujifilm|olympus|panasonic|pentax|samsung)/.test(mime)) {
    return "Camera RAW files";
  }
  if (mime.startsWith("video/")) return "Videos";
  if (mime.startsWith("audio/")) return "Audio files";
  return `${ext.toUpperCase()} files`;
}

/** SVG and HTML carry no magic number; they are recognised by their first tag. */
function sniffMarkup(head: Buffer): "SVG images" | "HTML files" | "XML files" | undefined {
  let text = head.subarray(0, 2048).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.trimStart().toLowerCase();
  if (!text.startsWith("<")) return undefined;
  if (text.includes("<svg")) return "SVG images";
  if (/<!doctype html|<html|<head|<body|<script|<iframe|<meta/.test(text)) return "HTML files";
  if (text.startsWith("<?xml")) return "XML files";
  return undefined;
}

/**
 * `mif1`/`msf1` are generic HEIF brands that AVIF files also use as their
 * major brand; the compatible-brand list in `ftyp` tells them apart.
 */
function isAvifBrand(head: Buffer): boolean {
  if (head.length < 16 || head.toString("latin1", 4, 8) !== "ftyp") return false;
  const size = Math.min(head.readUInt32BE(0), head.length);
  for (let pos = 8; pos + 4 <= size; pos += 4) {
    if (pos === 12) continue; // minor version, not a brand
    const brand = head.toString("latin1", pos, pos + 4);
    if (brand === "avif" || brand === "avis") return true;
  }
  return false;
}

/**
 * Decides the type from magic bytes only; a filename or a browser's claim is
 * never trusted. `head` is the start of the upload (any length, up to the whole file).
 */
export async function sniffImageType({ head }: { head: Buffer }): Promise<{ mime: AcceptedMime; ext: string }> {
  if (head.length === 0) throw new AppError("empty_file");

  const markup = sniffMarkup(head);
  if (markup) {
    throw new AppError("unsupported_type", `${markup} are not supported. Upload a ${await acceptedList()} image.`);
  }

  const detected = await fileTypeFromBuffer(head);
  if (!detected) {
    throw new AppError(
      "unsupported_type",
      `This file is not a recognised image. Upload a ${await acceptedList()} image.`,
    );
  }

  let mime: string = detected.mime;
  // APNG is a PNG with extra chunks: sharp reads its first frame and browsers
  // play it when served as image/png.
  if (mime === "image/apng") mime = "image/png";
  if ((mime === "image/heif" || mime === "image/heif-sequence") && isAvifBrand(head)) mime = "image/avif";
  if (mime === "image/heic-sequence") mime = "image/heic";
  if (mime === "image/heif-sequence") mime = "image/heif";

  if ((HEIC_TYPES as readonly string[]).includes(mime)) {
    if (!(await isHeicSupported())) throw new AppError("unsupported_type", HEIC_UNSUPPORTED);
    return { mime: mime as AcceptedMime, ext: EXTENSIONS[mime as AcceptedMime] };
  }
  if ((ACCEPTED_TYPES as readonly string[]).includes(mime)) {
    return { mime: mime as AcceptedMime, ext: EXTENSIONS[mime as AcceptedMime] };
  }
  throw new AppError(
    "unsupported_type",
    `${describeUnsupported(mime, detected.ext)} are not supported. Upload a ${await acceptedList()} image.`,
  );
}

// ---------------------------------------------------------------------------
// Header probing (decompression-bomb guard)
// ---------------------------------------------------------------------------

export type HeaderInfo = { width: number; height: number; pages: number };

/** GIF and WebP are decoded with all their frames, so every frame counts against the pixel budget. */
function decodesAllPages(mime: string): boolean {
  return mime === "image/gif" || mime === "image/webp";
}

function megapixels(n: number): string {
  const mp = n / 1_000_000;
  return mp >= 10 ? String(Math.round(mp)) : String(Math.round(mp * 10) / 10);
}

function assertPixelBudget({ width, height, pages, mime }: HeaderInfo & { mime: string }): void {
  const frames = decodesAllPages(mime) ? Math.max(pages, 1) : 1;
  const total = width * height * frames;
  if (total <= limits.maxPixels) return;
  const size =
    frames > 1
      ? `This animation has ${frames} frames of ${width} × ${height} pixels (${megapixels(total)} megapixels in total)`
      : `This image is ${width} × ${height} pixels (${megapixels(total)} megapixels)`;
  throw new AppError(
    "image_too_big",
    `${size}; the most this server processes is ${megapixels(limits.maxPixels)} megapixels.`,
  );
}

type ManualHeader = HeaderInfo | "need-more" | "corrupt";

/**
 * Fallback readers for formats whose decoders refuse a partial file even
 * though the dimensions sit in the first bytes (WebP, GIF) or whose header may
 * sit anywhere (TIFF, ISO-BMFF). They read sizes only, never pixels.
 */
function readHeaderByHand(head: Buffer, mime: string): ManualHeader {
  try {
    switch (mime) {
      case "image/jpeg":
        return readJpegHeader(head);
      case "image/png":
        return head.length >= 24 && head.toString("latin1", 12, 16) === "IHDR"
          ? { width: head.readUInt32BE(16), height: head.readUInt32BE(20), pages: 1 }
          : "corrupt";
      case "image/gif":
        return readGifHeader(head);
      case "image/webp":
        return readWebpHeader(head);
      case "image/tiff":
        return readTiffHeader(head);
      default:
        return readIsoBmffHeader(head);
    }
  } catch {
    // a read past the end of a short buffer: the header is cut off
    return "need-more";
  }
}

function readJpegHeader(head: Buffer): ManualHeader {
  if (head[0] !== 0xff || head[1] !== 0xd8) return "corrupt";
  let pos = 2;
  while (pos + 4 <= head.length) {
    if (head[pos] !== 0xff) return "corrupt";
    const marker = head[pos + 1];
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (pos + 9 > head.length) return "need-more";
      return { height: head.readUInt16BE(pos + 5), width: head.readUInt16BE(pos + 7), pages: 1 };
    }
    if (marker === 0xda || marker === 0xd9) return "corrupt"; // scan data before any frame header
    pos += 2 + head.readUInt16BE(pos + 2);
  }
  return "need-more";
}

function skipGifSubBlocks(head: Buffer, start: number): number {
  let pos = start;
  while (pos < head.length) {
    const size = head[pos];
    pos += 1;
    if (size === 0) return pos;
    pos += size;
  }
  return pos;
}

function readGifHeader(head: Buffer): ManualHeader {
  if (head.length < 13) return "need-more";
  if (head.toString("latin1", 0, 4) !== "GIF8") return "corrupt";
  const width = head.readUInt16LE(6);
  const height = head.readUInt16LE(8);
  let pos = 13;
  const flags = head[10];
  if (flags & 0x80) pos += 3 * (1 << ((flags & 7) + 1));
  let frames = 0;
  while (pos < head.length) {
    const block = head[pos];
    if (block === 0x21) {
      pos = skipGifSubBlocks(head, pos + 2);
    } else if (block === 0x2c) {
      frames += 1;
      if (pos + 10 > head.length) break;
      const local = head[pos + 9];
      pos += 10;
      if (local & 0x80) pos += 3 * (1 << ((local & 7) + 1));
      pos = skipGifSubBlocks(head, pos + 1);
    } else {
      break; // trailer, or garbage the full decode will judge
    }
  }
  // Frames beyond the head are unknown here; the full decode checks them again.
  return { width, height, pages: Math.max(frames, 1) };
}

function readWebpHeader(head: Buffer): ManualHeader {
  if (head.length < 30) return "need-more";
  if (head.toString("latin1", 0, 4) !== "RIFF" || head.toString("latin1", 8, 12) !== "WEBP") return "corrupt";
  const chunk = head.toString("latin1", 12, 16);
  if (chunk === "VP8 ") {
    if (head[23] !== 0x9d || head[24] !== 0x01 || head[25] !== 0x2a) return "corrupt";
    return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff, pages: 1 };
  }
  if (chunk === "VP8L") {
    if (head[20] !== 0x2f) return "corrupt";
    const bits = head.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, pages: 1 };
  }
  if (chunk === "VP8X") {
    const width = head.readUIntLE(24, 3) + 1;
    const height = head.readUIntLE(27, 3) + 1;
    let frames = 0;
    if (head[20] & 0x02) {
      for (let pos = 12; pos + 8 <= head.length; ) {
        const size = head.readUInt32LE(pos + 4);
        if (head.toString("latin1", pos, pos + 4) === "ANMF") frames += 1;
        pos += 8 + size + (size & 1);
      }
    }
    return { width, height, pages: Math.max(frames, 1) };
  }
  return "corrupt";
}

function readTiffHeader(head: Buffer): ManualHeader {
  if (head.length < 8) return "need-more";
  const order = head.toString("latin1", 0, 2);
  if (order !== "II" && order !== "MM") return "corrupt";
  const le = order === "II";
  const u16 = (at: number) => (le ? head.readUInt16LE(at) : head.readUInt16BE(at));
  const u32 = (at: number) => (le ? head.readUInt32LE(at) : head.readUInt32BE(at));
  // BigTIFF (43) uses 64-bit offsets; leave it to the full decode.
  if (u16(2) !== 42) return u16(2) === 43 ? "need-more" : "corrupt";

  let width = 0;
  let height = 0;
  let pages = 0;
  const seen = new Set<number>();
  for (let ifd = u32(4); ifd !== 0 && !seen.has(ifd) && pages < 10_000; ) {
    seen.add(ifd);
    if (ifd + 2 > head.length) break;
    const count = u16(ifd);
    const end = ifd + 2 + count * 12;
    if (end + 4 > head.length) break;
    if (pages === 0) {
      for (let e = ifd + 2; e < end; e += 12) {
        const tag = u16(e);
        const type = u16(e + 2);
        const value = type === 3 ? u16(e + 8) : u32(e + 8);
        if (tag === 256) width = value;
        if (tag === 257) height = value;
      }
      if (!width || !height) return "corrupt";
    }
    pages += 1;
    ifd = u32(end);
  }
  return pages === 0 ? "need-more" : { width, height, pages };
}

/**
 * AVIF/HEIC keep sizes in the `meta` box, which some encoders write after the
 * pixel data. If it lies past the bytes we have, we cannot judge yet.
 */
function readIsoBmffHeader(head: Buffer): ManualHeader {
  for (let pos = 0; pos + 8 <= head.length; ) {
    let size = head.readUInt32BE(pos);
    const type = head.toString("latin1", pos + 4, pos + 8);
    if (size === 1) {
      if (pos + 16 > head.length) return "need-more";
      size = Number(head.readBigUInt64BE(pos + 8));
    } else if (size === 0) {
      size = head.length - pos;
    }
    if (size < 8) return "corrupt";
    // the decoder already saw a complete meta box and refused it
    if (type === "meta") return pos + size <= head.length ? "corrupt" : "need-more";
    pos += size;
  }
  return "need-more";
}

/**
 * Reads only the header of the first part of an upload (up to a few MiB, or
 * the whole file) and rejects a decompression bomb before a single pixel is
 * decoded. Returns null when the header lies beyond `head` (a TIFF directory
 * or AVIF `meta` box written after the pixel data): the check then happens in
 * `analyzeImage`, which enforces the same limit before decoding.
 */
export async function probeHeader({ head, mime }: { head: Buffer; mime: string }): Promise<HeaderInfo | null> {
  if (head.length === 0) throw new AppError("empty_file");
  let header: HeaderInfo | null;
  try {
    const meta = await sharp(head, { limitInputPixels: false }).metadata();
    header = { width: meta.width, height: meta.height, pages: meta.pages ?? 1 };
  } catch (err) {
    const manual = readHeaderByHand(head, mime);
    if (manual === "corrupt") throw new AppError("corrupt_image", undefined, { cause: err });
    header = manual === "need-more" ? null : manual;
  }
  if (header && (!(header.width > 0) || !(header.height > 0))) throw new AppError("corrupt_image");
  if (header) assertPixelBudget({ ...header, mime });
  return header;
}

// ---------------------------------------------------------------------------
// Full analysis
// ---------------------------------------------------------------------------

export type GpsPosition = { latitude: number; longitude: number };

/** A small, JSON-safe EXIF digest. GPS lives apart (in `gps`) so public shares can drop it. */
export type ExifSummary = {
  Make?: string;
  Model?: string;
  LensModel?: string;
  /** Camera wall-clock time; carries a UTC offset only when the camera recorded one. */
  DateTimeOriginal?: string;
  /** Seconds, e.g. 0.004 for 1/250 s. */
  ExposureTime?: number;
  FNumber?: number;
  ISO?: number;
  /** Millimetres. */
  FocalLength?: number;
  /** The original EXIF orientation (1–8); thumbnails and previews are already upright. */
  Orientation?: number;
};

export type ImageMeta = {
  /** sharp's decoder name: jpeg, png, gif, webp, heif (AVIF/HEIC), tiff. */
  format: string;
  pages: number;
  hasAlpha: boolean;
  exif: ExifSummary;
  gps: GpsPosition | null;
  /** Up to five dominant colours as #rrggbb, most common first. */
  palette: string[];
};

export type AnalyzeResult = {
  /** As displayed, i.e. after applying the EXIF orientation; for animations, one frame. */
  width: number;
  height: number;
  mime: string;
  /** WebP inside 400×400, first frame of an animation. */
  thumb: Buffer;
  /** WebP inside 1600×1600, animated when the original is. */
  preview: Buffer;
  meta: ImageMeta;
};

const THUMB_SIZE = 400;
const PREVIEW_SIZE = 1600;

/** Maps a libvips failure to a message for people; the library's own text stays in `cause`. */
function toImageError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(text)) {
    return new AppError(
      "image_too_big",
      `This image has more than ${megapixels(limits.maxPixels)} megapixels, the most this server processes.`,
      { cause: err },
    );
  }
  return new AppError("corrupt_image", undefined, { cause: err });
}

/** Counts bytes on their way into sharp, which buffers a stream in memory before decoding. */
function byteGuard(): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer | Uint8Array, _enc: BufferEncoding, done: TransformCallback) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      total += buf.length;
      if (total > limits.maxUploadBytes) {
        const mib = Math.floor(limits.maxUploadBytes / 1024 / 1024);
        done(new AppError("too_large", `The image is larger than ${mib} MiB.`));
        return;
      }
      done(null, buf);
    },
    flush(done: TransformCallback) {
      done(total === 0 ? new AppError("empty_file") : null);
    },
  });
}

function cleanString(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  // EXIF strings are NUL-padded and may hold control bytes that break JSON consumers and UIs
  const s = value.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return s ? s.slice(0, 200) : undefined;
}

function cleanNumber(value: unknown): number | undefined {
  const n = Array.isArray(value) ? value[0] : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/**
 * exif-reader builds the Date as if the camera's wall clock were UTC. We keep
 * the wall clock and attach the recorded offset when there is one, rather than
 * pretending to know the time zone.
 */
function exifDate(value: unknown, offset: unknown): string | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined;
  const wallClock = value.toISOString().slice(0, 19);
  const off = cleanString(offset);
  return off && /^[+-]\d{2}:\d{2}$/.test(off) ? `${wallClock}${off}` : wallClock;
}

function gpsCoordinate(parts: unknown, ref: unknown, max: number): number | undefined {
  if (!Array.isArray(parts) || parts.length === 0) return undefined;
  const [d = 0, m = 0, s = 0] = parts as unknown[];
  if (![d, m, s].every((v) => typeof v === "number" && Number.isFinite(v))) return undefined;
  let value = (d as number) + (m as number) / 60 + (s as number) / 3600;
  const r = cleanString(ref)?.toUpperCase();
  if (r === "S" || r === "W") value = -value;
  if (Math.abs(value) > max) return undefined;
  return Math.round(value * 1e7) / 1e7;
}

function readExif(
  raw: Buffer | undefined,
  orientation: number | undefined,
): { exif: ExifSummary; gps: GpsPosition | null } {
  const exif: ExifSummary = {};
  if (orientation && orientation >= 1 && orientation <= 8) exif.Orientation = orientation;
  if (!raw || raw.length === 0) return { exif, gps: null };

  let tags: ReturnType<typeof exifReader>;
  try {
    tags = exifReader(raw);
  } catch {
    // Damaged EXIF is common and never worth refusing a photo over.
    return { exif, gps: null };
  }
  const image = tags.Image ?? {};
  const photo = tags.Photo ?? {};
  const candidates: ExifSummary = {
    Make: cleanString(image.Make),
    Model: cleanString(image.Model),
    LensModel: cleanString(photo.LensModel),
    DateTimeOriginal: exifDate(photo.DateTimeOriginal, photo.OffsetTimeOriginal),
    ExposureTime: cleanNumber(photo.ExposureTime),
    FNumber: cleanNumber(photo.FNumber),
    ISO: cleanNumber(photo.ISOSpeedRatings) ?? cleanNumber(photo.PhotographicSensitivity),
    FocalLength: cleanNumber(photo.FocalLength),
  };
  for (const [key, value] of Object.entries(candidates)) {
    if (value !== undefined) (exif as Record<string, unknown>)[key] = value;
  }

  const info = tags.GPSInfo;
  const latitude = gpsCoordinate(info?.GPSLatitude, info?.GPSLatitudeRef, 90);
  const longitude = gpsCoordinate(info?.GPSLongitude, info?.GPSLongitudeRef, 180);
  const gps = latitude !== undefined && longitude !== undefined ? { latitude, longitude } : null;
  return { exif, gps };
}

/**
 * Dominant colours by coarse quantisation: 4 bits per channel (4096 buckets),
 * the most populated buckets win, near-duplicates are skipped. Transparent
 * pixels do not vote.
 */
async function computePalette(image: Sharp, size = 5): Promise<string[]> {
  const { data, info } = await image
    .resize(64, 64, { fit: "inside" })
    .toColourspace("srgb")
    .ensureAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  const count = new Uint32Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i + channels <= data.length; i += channels) {
    if (data[i + 3] < 128) continue;
    const bucket = ((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4);
    count[bucket] += 1;
    sums[bucket * 3] += data[i];
    sums[bucket * 3 + 1] += data[i + 1];
    sums[bucket * 3 + 2] += data[i + 2];
  }
  const order = [...count.keys()].filter((b) => count[b] > 0).sort((a, b) => count[b] - count[a]);
  const picked: [number, number, number][] = [];
  for (const b of order) {
    const rgb: [number, number, number] = [0, 1, 2].map((c) => Math.round(sums[b * 3 + c] / count[b])) as [
      number,
      number,
      number,
    ];
    const distinct = picked.every(
      (p) => (p[0] - rgb[0]) ** 2 + (p[1] - rgb[1]) ** 2 + (p[2] - rgb[2]) ** 2 > 32 ** 2,
    );
    if (distinct) picked.push(rgb);
    if (picked.length === size) break;
  }
  return picked.map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`);
}

function displayedSize(meta: Metadata): { width: number; height: number } {
  const frameHeight = meta.pageHeight ?? meta.height;
  const swaps = (meta.orientation ?? 1) >= 5;
  return swaps ? { width: frameHeight, height: meta.width } : { width: meta.width, height: frameHeight };
}

/**
 * Decodes the whole image once (as a stream piped into sharp) and derives
 * everything the app stores about it: displayed size, an upright thumbnail
 * and preview, an EXIF digest, GPS and a colour palette. Errors from `source`
 * (e.g. a failed decryption) are rethrown unchanged; decoder failures become
 * `corrupt_image` or `image_too_big`. At most ANALYZE_CONCURRENCY images are
 * analysed at once per process (lib/decode-queue); later calls wait, their
 * `source` unread, and go in call order.
 */
export async function analyzeImage({
  source,
  mime,
}: {
  source: Readable | AsyncIterable<Buffer | Uint8Array>;
  mime: string;
}): Promise<AnalyzeResult> {
  return decodeQueue.run(() => decodeAndDerive({ source, mime }));
}

async function decodeAndDerive({
  source,
  mime,
}: {
  source: Readable | AsyncIterable<Buffer | Uint8Array>;
  mime: string;
}): Promise<AnalyzeResult> {
  const base = sharp({
    limitInputPixels: limits.maxPixels,
    failOn: "error",
    // GIF and WebP may be animated; a still one simply has one page.
    animated: decodesAllPages(mime),
  });

  const fed = pipeline(source, byteGuard(), base);

  const work = (async (): Promise<AnalyzeResult> => {
    try {
      const meta = await base.clone().metadata();
      const pages = meta.pages ?? 1;
      const frameHeight = meta.pageHeight ?? meta.height;
      assertPixelBudget({ width: meta.width, height: frameHeight, pages, mime });
      const animated = decodesAllPages(mime) && pages > 1;

      const toThumb = (image: Sharp) =>
        image
          .resize(THUMB_SIZE, THUMB_SIZE, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 75 })
          .toBuffer();
      const previewDone = base
        .clone()
        .autoOrient()
        .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      // A clone keeps every frame of an animation, so the still thumbnail is
      // cut from the (already small, upright) preview's first frame instead.
      const thumbDone = animated
        ? previewDone.then((preview) => toThumb(sharp(preview, { pages: 1 })))
        : toThumb(base.clone().autoOrient());
      const [preview, thumb, palette] = await Promise.all([previewDone, thumbDone, computePalette(base.clone())]);

      const { exif, gps } = readExif(meta.exif, meta.orientation);
      return {
        ...displayedSize(meta),
        mime,
        thumb,
        preview,
        meta: { format: meta.format, pages, hasAlpha: meta.hasAlpha, exif, gps, palette },
      };
    } catch (err) {
      throw toImageError(err);
    }
  })();

  // When the source fails, sharp never sees the end of its input and `work`
  // never settles; the pipeline's rejection wins the race instead.
  const [, result] = await Promise.all([fed, work]);
  return result;
}
