// Cuts the loaded images into the rows the virtualised grid renders: month
// headers, day headers, justified rows of photos (justified-layout keeps each
// aspect ratio), and placeholders for images not loaded yet, sized from the
// month counts so the scrollbar and the date scrubber are right from the start.
// Pure: no React, no DOM.

import justifiedLayout from "justified-layout";

import { dayOf, monthOf } from "@/components/gallery/timeline-position";
import type { GalleryItem } from "@/lib/gallery-types";

export type Box = { item: GalleryItem; left: number; width: number; height: number };

export type Row =
  | { kind: "month"; key: string; month: string; height: number }
  | { kind: "day"; key: string; day: string; height: number }
  | { kind: "photos"; key: string; boxes: Box[]; height: number; rowHeight: number }
  | { kind: "placeholder"; key: string; month: string; count: number; height: number };

export type LayoutOptions = {
  width: number;
  /** Group by month and day with headers (the timeline), or one plain grid (the trash). */
  grouped: boolean;
  /** Extra height under each photo, for a caption (the trash's "N days left"). */
  captionHeight?: number;
};

export const MONTH_HEADER = 56;
export const DAY_HEADER = 36;
export const SPACING = 4;

export function targetRowHeight(width: number): number {
  if (width < 480) return 130;
  if (width < 900) return 160;
  return 220;
}

/** Justified rows for one group of images. */
export function justify(items: readonly GalleryItem[], width: number, keyPrefix: string, captionHeight = 0): Row[] {
  if (items.length === 0 || width <= 0) return [];
  const target = targetRowHeight(width);
  const geometry = justifiedLayout(
    items.map((item) => (item.width > 0 && item.height > 0 ? Math.min(Math.max(item.width / item.height, 0.25), 5) : 1)),
    {
      containerWidth: width,
      containerPadding: 0,
      boxSpacing: SPACING,
      targetRowHeight: target,
      targetRowHeightTolerance: 0.3,
      widowLayoutStyle: "left",
    },
  );
  const rows: Row[] = [];
  let current: Box[] = [];
  let top = -1;
  let rowHeight = 0;
  const flush = () => {
    if (current.length === 0) return;
    const first = current[0].item.id;
    rows.push({ kind: "photos", key: `${keyPrefix}:${first}`, boxes: current, height: rowHeight + captionHeight + SPACING, rowHeight });
    current = [];
  };
  geometry.boxes.forEach((box, i) => {
    if (box.top !== top) {
      flush();
      top = box.top;
      rowHeight = Math.round(box.height);
    }
    current.push({ item: items[i], left: Math.round(box.left), width: Math.max(1, Math.round(box.width)), height: rowHeight });
  });
  flush();
  return rows;
}

/** The height that `count` not-yet-loaded images will take, roughly. */
export function placeholderHeight(count: number, width: number): number {
  const target = targetRowHeight(width);
  const perRow = Math.max(1, Math.floor(width / (target * 1.3)));
  return Math.ceil(count / perRow) * (target + SPACING);
}

export type MonthSection = {
  month: string;
  /** Loaded items of the month, newest first. */
  items: GalleryItem[];
  /** All of the month is loaded. */
  complete: boolean;
  /** The month's count from the server (an estimate: it may lag this session's changes). */
  count: number;
};

/** Groups newest-first items by month, merged with the server's month counts. */
export function monthSections(items: readonly GalleryItem[], months: readonly { month: string; count: number }[], isComplete: (month: string) => boolean): MonthSection[] {
  const byMonth = new Map<string, GalleryItem[]>();
  for (const item of items) {
    const month = monthOf(item);
    let list = byMonth.get(month);
    if (!list) byMonth.set(month, (list = []));
    list.push(item);
  }
  const counts = new Map(months.map((m) => [m.month, m.count]));
  const all = new Set([...byMonth.keys(), ...counts.keys()]);
  return [...all]
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    .map((month) => {
      const loaded = byMonth.get(month) ?? [];
      return { month, items: loaded, complete: isComplete(month), count: Math.max(counts.get(month) ?? 0, loaded.length) };
    })
    .filter((section) => section.items.length > 0 || !section.complete);
}

/** Every row of the timeline (or of the plain grid). */
export function buildRows(sections: readonly MonthSection[], { width, grouped, captionHeight = 0 }: LayoutOptions): Row[] {
  const rows: Row[] = [];
  if (!grouped) {
    for (const section of sections) rows.push(...justify(section.items, width, section.month, captionHeight));
    const missing = sections.reduce((n, s) => n + (s.complete ? 0 : Math.max(0, s.count - s.items.length)), 0);
    if (missing > 0) rows.push({ kind: "placeholder", key: "rest", month: sections.at(-1)?.month ?? "", count: missing, height: placeholderHeight(missing, width) });
    return rows;
  }
  for (const section of sections) {
    rows.push({ kind: "month", key: `m:${section.month}`, month: section.month, height: MONTH_HEADER });
    let day: string | null = null;
    let group: GalleryItem[] = [];
    const flush = () => {
      if (!day || group.length === 0) return;
      rows.push({ kind: "day", key: `d:${day}`, day, height: DAY_HEADER });
      rows.push(...justify(group, width, day, captionHeight));
      group = [];
    };
    for (const item of section.items) {
      const d = dayOf(item);
      if (d !== day) {
        flush();
        day = d;
      }
      group.push(item);
    }
    flush();
    const missing = Math.max(0, section.count - section.items.length);
    if (!section.complete) {
      rows.push({ kind: "placeholder", key: `p:${section.month}`, month: section.month, count: Math.max(1, missing), height: placeholderHeight(Math.max(1, missing), width) });
    }
  }
  return rows;
}

/** Where each item is: its row and its place in the row, for keyboard moves and scrolling to an item. */
export function indexRows(rows: readonly Row[]): Map<string, { row: number; box: number }> {
  const at = new Map<string, { row: number; box: number }>();
  rows.forEach((row, r) => {
    if (row.kind === "photos") row.boxes.forEach((box, b) => at.set(box.item.id, { row: r, box: b }));
  });
  return at;
}
