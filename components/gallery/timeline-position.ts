// Where an image sits on the timeline, as the server orders it (lib/library's
// timelinePosition): the EXIF date taken read as wall-clock time, else the
// upload time, then the id. Months and days are taken from that same clock, so
// headers agree with the server's month buckets and the scrubber's months.

import type { GalleryItem } from "@/lib/gallery-types";

export type Pos = readonly [number, string];

const WALL_CLOCK = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

export function positionOf(item: Pick<GalleryItem, "id" | "takenAt" | "createdAt">): Pos {
  if (item.takenAt && WALL_CLOCK.test(item.takenAt)) {
    const at = Date.parse(`${item.takenAt.slice(0, 19)}Z`);
    if (Number.isFinite(at)) return [at, item.id];
  }
  return [Date.parse(item.createdAt) || 0, item.id];
}

/** Ascending order of positions (the timeline shows them descending). */
export function comparePos(a: Pos, b: Pos): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/** Newest first, as the timeline lists. */
export const newestFirst = (a: GalleryItem, b: GalleryItem) => comparePos(positionOf(b), positionOf(a));

/** "2025-08" */
export function monthOf(item: Pick<GalleryItem, "id" | "takenAt" | "createdAt">): string {
  return new Date(positionOf(item)[0]).toISOString().slice(0, 7);
}

/** "2025-08-14" */
export function dayOf(item: Pick<GalleryItem, "id" | "takenAt" | "createdAt">): string {
  return new Date(positionOf(item)[0]).toISOString().slice(0, 10);
}

const monthFormat = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
const shortMonthFormat = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat("en-US", { weekday: "short", month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

/** "August 2025" for "2025-08". */
export function monthLabel(month: string, short = false): string {
  const [y, m] = month.split("-").map(Number);
  return (short ? shortMonthFormat : monthFormat).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** "Thu, Aug 14, 2025" for "2025-08-14". */
export function dayLabel(day: string): string {
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}
