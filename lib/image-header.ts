import "server-only";

import { imageSize } from "image-size";
import sharp from "sharp";

import { limits } from "@/lib/config";
import { AppError } from "@/lib/errors";

export type HeaderInfo = { width: number; height: number; pages: number };

/** GIF and WebP are decoded with all their frames, so every frame counts against the pixel budget. */
export function decodesAllPages(mime: string): boolean {
  return mime === "image/gif" || mime === "image/webp";
}

export function megapixels(n: number): string {
  const mp = n / 1_000_000;
  return mp >= 10 ? String(Math.round(mp)) : String(Math.round(mp * 10) / 10);
}

/**
 * Refuses an image whose decode would exceed MAX_IMAGE_PIXELS (width × height
 * × frames for the formats decoded whole), saying how big it is.
 */
export function assertPixelBudget({ width, height, pages, mime }: HeaderInfo & { mime: string }): void {
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

/**
 * Reads only the header of the first part of an upload (up to a few MiB, or
 * the whole file) and rejects a decompression bomb before a single pixel is
 * decoded. Returns null when the header lies beyond `head` (a TIFF directory
 * or AVIF `meta` box written after the pixel data, a JPEG whose metadata
 * segments outgrow the head): the check then happens in `analyzeImage`, which
 * enforces the same limit before decoding.
 *
 * sharp's own `metadata()` reads it first, since it is the decoder that will
 * run later. It is called without `limitInputPixels`: with the limit it
 * refuses a bomb without saying its size, and it would not count frames.
 * `image-size` reads what sharp refuses as a partial file (WebP, a GIF whose
 * first frame is cut).
 */
export async function probeHeader({ head, mime }: { head: Buffer; mime: string }): Promise<HeaderInfo | null> {
  if (head.length === 0) throw new AppError("empty_file");
  let header: HeaderInfo | null;
  try {
    const meta = await sharp(head, { limitInputPixels: false }).metadata();
    header = { width: meta.width, height: meta.height, pages: meta.pages ?? 1 };
  } catch (err) {
    header = readPartialHeader({ head, mime, cause: err });
  }
  if (header && (!(header.width > 0) || !(header.height > 0))) throw new AppError("corrupt_image");
  if (header) assertPixelBudget({ ...header, mime });
  return header;
}

/** The fallback for a head the decoder refused: a size from image-size, or a judgement of why there is none. */
function readPartialHeader({ head, mime, cause }: { head: Buffer; mime: string; cause: unknown }): HeaderInfo | null {
  let size: { width: number; height: number };
  try {
    size = imageSize(head);
  } catch {
    if (mime === "image/tiff" || mime === "image/avif" || mime === "image/heic" || mime === "image/heif") {
      // TIFF directories and ISO-BMFF `meta` boxes may legitimately follow the pixel data.
      return null;
    }
    if (mime === "image/jpeg" && jpegSegmentsRunPastHead(head)) return null;
    // PNG's IHDR, GIF's screen descriptor and WebP's first chunk sit in the first 30 bytes.
    throw new AppError("corrupt_image", undefined, { cause });
  }
  // sharp reads a partial GIF and counts the frames in it once the first one is
  // whole (measured in image-header.test.ts), so a GIF that reaches here holds one frame.
  const pages = mime === "image/webp" ? countWebpFrames(head) : 1;
  return { width: size.width, height: size.height, pages };
}

/**
 * Frames of an animated WebP, counted from the ANMF chunk headers within
 * `head`. Hand-written because nothing maintained does it on a partial file:
 * sharp (libwebp's demuxer) refuses a WebP that lacks even its last byte, and
 * image-size reports the canvas size only. Frames beyond `head` are unknown
 * here; analyzeImage counts them all before decoding.
 */
function countWebpFrames(head: Buffer): number {
  const animated = head.length > 20 && head.toString("latin1", 12, 16) === "VP8X" && (head[20] & 0x02) !== 0;
  if (!animated) return 1;
  let frames = 0;
  for (let pos = 12; pos + 8 <= head.length; ) {
    if (head.toString("latin1", pos, pos + 4) === "ANMF") frames += 1;
    const size = head.readUInt32LE(pos + 4);
    pos += 8 + size + (size & 1); // chunks are padded to an even length
  }
  return Math.max(frames, 1);
}

/**
 * Whether a JPEG head is an intact chain of marker segments that merely ends
 * before the frame header: metadata segments (extended XMP, ICC profiles) may
 * outgrow the first part of an upload. Hand-written because sharp and
 * image-size fail the same way on such a head and on garbage after the
 * start-of-image marker (measured in image-header.test.ts), and only the
 * second deserves a refusal now.
 */
function jpegSegmentsRunPastHead(head: Buffer): boolean {
  if (head[0] !== 0xff || head[1] !== 0xd8) return false;
  let pos = 2;
  while (pos < head.length) {
    if (head[pos] !== 0xff) return false;
    if (pos + 1 >= head.length) return true;
    const marker = head[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2; // markers without a length
      continue;
    }
    // Scan data or the end of the image: the decoder saw its whole header and refused it.
    if (marker === 0xda || marker === 0xd9) return false;
    if (pos + 4 > head.length) return true;
    const length = head.readUInt16BE(pos + 2);
    if (length < 2) return false;
    pos += 2 + length;
  }
  return true;
}
