import "server-only";

import { fileTypeFromBuffer } from "file-type";
import sharp from "sharp";

import { AppError } from "@/lib/errors";

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

/** The usual file extension of an accepted type (numbered share names, zip entries); "img" for anything else. */
export function extensionOf(mime: string): string {
  return (EXTENSIONS as Record<string, string>)[mime] ?? "img";
}

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

/**
 * SVG and HTML carry no magic number: file-type calls an SVG with an XML
 * declaration plain XML and recognises neither a bare `<svg>` nor HTML. They
 * are recognised by their first tag so the refusal can name them.
 */
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
 * major brand; only the compatible-brand list in `ftyp` tells them apart.
 * Hand-written because file-type 21 answers `image/heif` for such a file and
 * image-size goes by the major brand alone ("tells AVIF from HEIC by brand"
 * in image-types.test.ts).
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
