import "server-only";

import { Transform, type TransformCallback, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import sharp, { type Metadata, type Sharp } from "sharp";

import { limits } from "@/lib/config";
import { decodeQueue } from "@/lib/decode-queue";
import { AppError } from "@/lib/errors";
import { type ExifSummary, type GpsPosition, readExif } from "@/lib/exif";
import { assertPixelBudget, decodesAllPages, megapixels } from "@/lib/image-header";
import { computePalette } from "@/lib/palette";

// libvips' operation cache keeps decoded images of earlier requests alive; every
// upload is processed once, so the cache only costs memory.
sharp.cache(false);

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
// libwebp's effort 2 encodes a 1600 px photo 2.3× faster than the default 4 for files about 5 %
// larger (README, Benchmarks: complete was mostly WebP encoding); still a third smaller than JPEG.
const WEBP_EFFORT = 2;

type Derived = { preview: Buffer; thumb: Buffer; palette: string[] };

/** Upright and inside the preview's box: the one resize both the still and the animated paths start from. */
const fitPreview = (image: Sharp) => image.autoOrient().resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true });
const toPreview = (image: Sharp) => image.webp({ quality: 80, effort: WEBP_EFFORT }).toBuffer();

const toThumb = (image: Sharp) =>
  image.resize(THUMB_SIZE, THUMB_SIZE, { fit: "inside", withoutEnlargement: true }).webp({ quality: 75, effort: WEBP_EFFORT }).toBuffer();

/**
 * A still image is decoded once, straight to upright preview-sized pixels, and the preview,
 * thumbnail and palette are all made from those: decoding the original three times (once per
 * derivative) was most of complete's time for a large photo.
 */
async function deriveStill({ forPreview }: { forPreview: Sharp }): Promise<Derived> {
  const { data, info } = await fitPreview(forPreview).raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  const pixels = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const [preview, thumb, palette] = await Promise.all([
    toPreview(pixels()),
    toThumb(pixels()),
    computePalette({ image: pixels() }),
  ]);
  return { preview, thumb, palette };
}

/** An animation keeps every frame in its preview; the still thumbnail is cut from the preview's first frame. */
async function deriveAnimated({ forPreview, forPalette }: { forPreview: Sharp; forPalette: Sharp }): Promise<Derived> {
  const previewDone = toPreview(fitPreview(forPreview));
  const thumbDone = previewDone.then((preview) => toThumb(sharp(preview, { pages: 1 })));
  const [preview, thumb, palette] = await Promise.all([previewDone, thumbDone, computePalette({ image: forPalette })]);
  return { preview, thumb, palette };
}

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

  // Every clone is taken now, before any input arrives: a clone of a stream-fed instance shares
  // the input once it has finished, but a clone taken later deep-copies the whole buffered file
  // (sharp's clone() runs structuredClone over its options), which for a 20 MiB photo was three
  // 20 MiB copies and about a third of complete's CPU in the bench's profile.
  const forMetadata = base.clone();
  const forPreview = base.clone();
  const forPalette = base.clone();

  const fed = pipeline(source, byteGuard(), base);

  const work = (async (): Promise<AnalyzeResult> => {
    try {
      const meta = await forMetadata.metadata();
      const pages = meta.pages ?? 1;
      const frameHeight = meta.pageHeight ?? meta.height;
      assertPixelBudget({ width: meta.width, height: frameHeight, pages, mime });
      const animated = decodesAllPages(mime) && pages > 1;

      const { preview, thumb, palette } = animated ? await deriveAnimated({ forPreview, forPalette }) : await deriveStill({ forPreview });

      const { exif, gps } = readExif({ raw: meta.exif, orientation: meta.orientation });
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
