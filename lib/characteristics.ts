import "server-only";

import sharp from "sharp";

import type { Detection } from "@/lib/analysis-pool";
import type { SealedMeta } from "@/lib/images";

/**
 * What an image shows and how it was made, computed from its upright preview
 * (≤1600 px, already stored) plus the metadata taken at upload, and the words
 * search indexes for it. Pixels are read with sharp (libuv threads, off the
 * event loop); the models run in lib/analysis-pool's workers.
 */

export type Orientation = "portrait" | "landscape" | "square" | "panorama";

export type Characteristics = {
  v: 1;
  /** COCO labels (person, dog, car…) with a confidence in [0, 1], best first. */
  labels: { label: string; score: number }[];
  faces: number;
  /** Names of the dominant colours ("red", "teal"), most common first, no repeats. */
  colours: string[];
  orientation: Orientation;
  megapixels: number;
  animated: boolean;
  transparent: boolean;
  /** Variance of the Laplacian of the 512 px grey image: low means soft or blurry. */
  sharpness: number;
  blurry: boolean;
  /** Mean luma, 0 (black) to 255 (white). */
  brightness: number;
  dark: boolean;
  screenshot: boolean;
  /**
   * Explicit or suggestive content (nsfwjs): Porn + Hentai + Sexy ≥ SENSITIVE_FROM.
   * Absent on characteristics computed before the flag existed (the backfill redoes them).
   */
  sensitive?: boolean;
  /** nsfwjs's Porn + Hentai + Sexy probability, 0 to 1. */
  sensitiveScore?: number;
  /** 64-bit difference hash (dHash) as 16 hex digits, for near-duplicates. */
  phash: string;
  /** Which model labelled it, so a later model can re-run. */
  model: string;
  analysedAt: string;
};

export const MODEL_NAME = "human-3.3.6/centernet+blazeface;nsfwjs-4.4.0/mobilenet_v2";
const BLURRY_BELOW = 60;
const DARK_BELOW = 50;
/**
 * An image is flagged sensitive when nsfwjs gives Porn + Hentai + Sexy at least
 * this probability, i.e. when it finds explicit or suggestive content more
 * likely than a neutral photo or a drawing. On the real photos in
 * lib/testing/photos the sum is at most 0.25, a dog's tan coat (README "Characteristics").
 */
export const SENSITIVE_FROM = 0.5;
/** Detections at or above this confidence become labels (and search words). */
const LABEL_MIN_SCORE = 0.35;
/** Side of the image handed to the models: CenterNet reads 512 px, BlazeFace 256 px. */
export const MODEL_INPUT = 640;

export function orientationOf({ width, height }: { width: number; height: number }): Orientation {
  const ratio = width / height;
  if (ratio >= 2 || ratio <= 0.5) return "panorama";
  if (Math.abs(ratio - 1) < 0.05) return "square";
  return ratio > 1 ? "landscape" : "portrait";
}

/** Nearest everyday colour name for #rrggbb, by hue, saturation and lightness. */
export function colourName(hex: string): string {
  const n = Number.parseInt(hex.replace("#", ""), 16);
  const [r, g, b] = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((c) => c / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  const d = max - min;
  const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  if (l < 0.12) return "black";
  if (l > 0.9 && s < 0.5) return "white";
  if (s < 0.15) return l < 0.35 ? "black" : l > 0.8 ? "white" : "gray";
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h = (h * 60 + 360) % 360;
  }
  if (h >= 15 && h < 45) return l < 0.4 ? "brown" : "orange";
  if (h < 15 || h >= 345) return l > 0.75 ? "pink" : l < 0.3 ? "brown" : "red";
  if (h < 70) return l < 0.35 ? "brown" : "yellow";
  if (h < 160) return "green";
  if (h < 200) return "teal";
  if (h < 255) return "blue";
  if (h < 290) return "purple";
  return "pink";
}

/** dHash: 9×8 grey, one bit per horizontal neighbour pair. Survives resizing and recompression. */
export function dHash({ data }: { data: Uint8Array }): string {
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) bits = (bits << 1n) | (data[y * 9 + x] > data[y * 9 + x + 1] ? 1n : 0n);
  }
  return bits.toString(16).padStart(16, "0");
}

/** Number of differing bits between two 64-bit hashes in hex. */
export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (x) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}

type Pixels = { sharpness: number; brightness: number; phash: string; flatShare: number };

/** Sharpness, brightness, the perceptual hash and how flat the colours are, from the preview. */
export async function measurePixels({ image }: { image: Buffer }): Promise<Pixels> {
  const grey = sharp(image, { pages: 1 }).flatten({ background: "#ffffff" }).greyscale().resize(512, 512, { fit: "inside" });
  const [{ data: lap }, stats, { data: small }, { data: tiny }] = await Promise.all([
    // The Laplacian is offset by 128, so negative responses survive 8-bit output.
    grey.clone().convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 }).raw().toBuffer({ resolveWithObject: true }),
    grey.clone().stats(),
    grey.clone().resize(9, 8, { fit: "fill" }).raw().toBuffer({ resolveWithObject: true }),
    sharp(image, { pages: 1 }).removeAlpha().resize(64, 64, { fit: "inside" }).raw().toBuffer({ resolveWithObject: true }),
  ]);
  let sum = 0;
  let sq = 0;
  for (const v of lap) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / lap.length;
  // Screenshots and UI are mostly a few exact colours; photos almost never are.
  const counts = new Map<number, number>();
  for (let i = 0; i + 2 < tiny.length; i += 3) {
    const key = (tiny[i] << 16) | (tiny[i + 1] << 8) | tiny[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts.values()].sort((a, b) => b - a).slice(0, 8).reduce((a, b) => a + b, 0);
  return {
    sharpness: Math.round(sq / lap.length - mean * mean),
    brightness: Math.round(stats.channels[0].mean),
    phash: dHash({ data: small }),
    flatShare: top / (tiny.length / 3),
  };
}

/** The RGB pixels handed to the models: upright, at most MODEL_INPUT px on the long side. */
export async function modelInput({ image }: { image: Buffer }): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(image, { pages: 1 })
    .flatten({ background: "#ffffff" })
    .resize(MODEL_INPUT, MODEL_INPUT, { fit: "inside", withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** nsfwjs's probability of explicit or suggestive content: Porn + Hentai + Sexy, rounded to 0.001. */
export function sensitivityOf(content: Detection["content"]): number {
  return Math.round((content.porn + content.hentai + content.sexy) * 1000) / 1000;
}

export function characterise({
  width,
  height,
  mime,
  meta,
  pixels,
  detection,
}: {
  width: number;
  height: number;
  mime: string;
  meta: SealedMeta;
  pixels: Pixels;
  detection: Detection;
}): Characteristics {
  const camera = Boolean(meta.exif?.Make || meta.exif?.Model);
  const sensitiveScore = sensitivityOf(detection.content);
  const lossless = mime === "image/png" || mime === "image/webp" || mime === "image/gif";
  return {
    v: 1,
    labels: detection.objects.filter((o) => o.score >= LABEL_MIN_SCORE),
    faces: detection.faces,
    colours: [...new Set((meta.palette ?? []).map(colourName))],
    orientation: orientationOf({ width, height }),
    megapixels: Math.round((width * height) / 1e5) / 10,
    animated: (meta.pages ?? 1) > 1,
    transparent: Boolean(meta.hasAlpha),
    sharpness: pixels.sharpness,
    blurry: pixels.sharpness < BLURRY_BELOW,
    brightness: pixels.brightness,
    dark: pixels.brightness < DARK_BELOW,
    screenshot: !camera && lossless && pixels.flatShare > 0.5,
    sensitive: sensitiveScore >= SENSITIVE_FROM,
    sensitiveScore,
    phash: pixels.phash,
    model: MODEL_NAME,
    analysedAt: new Date().toISOString(),
  };
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** Lower-case words of a filename or query: letters and digits of any script, nothing else. */
export function wordsOf(text: string): string[] {
  return (text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 64);
}

/**
 * Every search term of an image. Filename words also give their prefixes of
 * two letters or more (capped at 20), so "holi" finds "holiday.jpg".
 */
export function searchTermsOf({ meta, traits }: { meta: SealedMeta; traits: Characteristics | null }): string[] {
  const terms = new Set<string>();
  const name = meta.name.replace(/\.[A-Za-z0-9]{1,5}$/, "");
  for (const word of wordsOf(name)) {
    for (let i = 2; i <= Math.min(word.length, 20); i++) terms.add(word.slice(0, i));
  }
  for (const word of wordsOf(`${meta.exif?.Make ?? ""} ${meta.exif?.Model ?? ""}`)) terms.add(word);
  const taken = meta.exif?.DateTimeOriginal?.match(/^(\d{4})-(\d{2})/);
  if (taken) {
    terms.add(taken[1]);
    terms.add(MONTHS[Number(taken[2]) - 1] ?? "");
  }
  if (traits) {
    for (const { label } of traits.labels) for (const w of wordsOf(label)) terms.add(w).add(`${w}s`);
    for (const c of traits.colours) terms.add(c).add(c === "gray" ? "grey" : c);
    terms.add(traits.orientation);
    if (traits.faces > 0 || traits.labels.some((l) => l.label === "person")) terms.add("people").add("person");
    if (traits.screenshot) terms.add("screenshot").add("screenshots");
    if (traits.blurry) terms.add("blurry");
    if (traits.dark) terms.add("dark");
    if (traits.animated) terms.add("animated");
    if (traits.transparent) terms.add("transparent");
    if (traits.sensitive) terms.add("sensitive");
  }
  terms.delete("");
  return [...terms];
}
