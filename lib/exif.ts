import "server-only";

import exifReader from "exif-reader";

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

/**
 * The digest of an image's raw EXIF block (as sharp's `metadata().exif` gives
 * it, starting "Exif\0\0"): camera, lens, exposure, the date taken, and GPS
 * kept apart. `orientation` is the decoder's reading of the tag. Damaged EXIF
 * yields an empty digest instead of an error.
 */
export function readExif({ raw, orientation }: { raw: Buffer | undefined; orientation: number | undefined }): {
  exif: ExifSummary;
  gps: GpsPosition | null;
} {
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
