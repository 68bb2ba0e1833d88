// Pure display helpers for the gallery and viewer. No React, no DOM: safe on the
// server, in the browser and in unit tests.

import type { ImageDetails } from "@/lib/gallery-types";

const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${maximumFractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits });
    numberFormats.set(key, format);
  }
  return format;
}

/**
 * The one byte formatter of the app: binary steps (1 KB = 1024 B), "0 B",
 * "999 B", "1.5 KB", "12.4 MB", "120 MB". One decimal below 100, none above.
 * The locale defaults to en-US so server and browser render the same text.
 */
export function formatBytes(bytes: number, locale = "en-US"): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // Round first so 1023.96 KB reads "1 MB" rather than "1,024 KB".
  const digits = value < 100 ? 1 : 0;
  const rounded = Number(value.toFixed(digits));
  if (rounded >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${numberFormat(locale, digits).format(rounded)} ${UNITS[unit]}`;
}

/** "1 image", "3 images": the one pluralising helper of the app. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

export type DateFormatOptions = {
  /** BCP 47 locale; the runtime's default when omitted. */
  locale?: string;
  /** IANA zone; the runtime's zone when omitted. */
  timeZone?: string;
  /** Add hours and minutes. */
  withTime?: boolean;
};

// Intl.DateTimeFormat is expensive to build; a gallery formats thousands of dates.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat({ locale, timeZone, withTime }: DateFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${timeZone ?? ""}|${withTime ? 1 : 0}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      ...(withTime ? { timeStyle: "short" } : {}),
      ...(timeZone ? { timeZone } : {}),
    });
    dateFormats.set(key, format);
  }
  return format;
}

/** "Mar 5, 2024" (or "Mar 5, 2024, 3:04 PM" withTime) from an ISO string or Date; "—" when invalid. */
export function formatDate(value: string | number | Date | null | undefined, options: DateFormatOptions = {}): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  return dateFormat(options).format(date);
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * When a photo was taken, as the camera's clock showed it. EXIF times are wall
 * clock ("2024-05-01T10:20:30", optionally with "+02:00"): they are shown as
 * recorded, not converted to the viewer's zone, with the offset when known.
 */
export function formatTakenAt(value: string | null | undefined, locale?: string): string {
  if (!value) return "—";
  const match = WALL_CLOCK.exec(value);
  if (!match) return formatDate(value, { locale, withTime: true });
  const [, y, mo, d, h, mi, s = "0", offset] = match;
  const utc = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  const text = formatDate(utc, { locale, timeZone: "UTC", withTime: true });
  if (!offset) return text;
  return `${text} (UTC${offset === "Z" ? "" : offset})`;
}

function trimNumber(value: number, maximumFractionDigits: number): string {
  return numberFormat("en-US", maximumFractionDigits).format(value).replace(/,/g, "");
}

/** "1/250 s" below half a second, "0.8 s" or "2 s" above. */
export function formatExposureTime(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  if (seconds <= 0.5) return `1/${Math.round(1 / seconds)} s`;
  return `${trimNumber(seconds, 1)} s`;
}

/**
 * The exposure line of the details panel, e.g. "1/250 s · f/2.8 · ISO 100 · 35 mm".
 * Missing parts are left out; null when there is nothing to show.
 */
export function formatExposure(exposure: ImageDetails["exposure"] | undefined): string | null {
  if (!exposure) return null;
  const parts: string[] = [];
  const { exposureTime, fNumber, iso, focalLength } = exposure;
  if (typeof exposureTime === "number") {
    const time = formatExposureTime(exposureTime);
    if (time) parts.push(time);
  }
  if (typeof fNumber === "number" && Number.isFinite(fNumber) && fNumber > 0) parts.push(`f/${trimNumber(fNumber, 1)}`);
  if (typeof iso === "number" && Number.isFinite(iso) && iso > 0) parts.push(`ISO ${Math.round(iso)}`);
  if (typeof focalLength === "number" && Number.isFinite(focalLength) && focalLength > 0) {
    parts.push(`${trimNumber(focalLength, 1)} mm`);
  }
  return parts.length ? parts.join(" · ") : null;
}

/** "4000 × 3000"; "—" when unknown. */
export function formatDimensions(width: number, height: number): string {
  if (!(width > 0) || !(height > 0)) return "—";
  return `${Math.round(width)} × ${Math.round(height)}`;
}

/** The size of a resized variant that fits inside `max`×`max` (never enlarged), for width/height attributes. */
export function fitInside(item: { width: number; height: number }, max: number): { width: number; height: number } {
  const w = item.width > 0 ? item.width : max;
  const h = item.height > 0 ? item.height : max;
  const scale = Math.min(1, max / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}
