// The loaded parts of a listing, as "runs": each run is a contiguous stretch of
// the server's order, starting at the top of the listing or at a month (the
// date scrubber's ?from= jump), with the cursor of the page after it. Runs that
// meet are merged, so paging from anywhere is written once. Pure: no React,
// no fetch; the hook (use-image-list.ts) drives it.

import type { GalleryItem, GalleryPage } from "@/lib/gallery-types";

import { comparePos, monthOf, positionOf } from "@/components/gallery/timeline-position";

export type Run = {
  /** null: from the top of the listing; "YYYY-MM": from that month's newest image. */
  start: string | null;
  /** Newest first, each id once. */
  items: GalleryItem[];
  /** The page after the last item, or null at the end of the listing. */
  cursor: string | null;
  /** Pages fetched after the first. */
  pages: number;
};

export const runKey = (start: string | null) => start ?? "top";

function uniqueSorted(items: readonly GalleryItem[]): GalleryItem[] {
  const seen = new Set<string>();
  const out: GalleryItem[] = [];
  for (const item of items) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    out.push(item);
  }
  return out.sort((a, b) => comparePos(positionOf(b), positionOf(a)));
}

export function runFromPage(start: string | null, page: GalleryPage): Run {
  return { start, items: uniqueSorted(page.items), cursor: page.nextCursor, pages: 0 };
}

const startsBefore = (a: Run, b: Run) => a.start === null || (b.start !== null && a.start > b.start);

/** Does `newer` reach into where `older` starts (so they overlap or touch)? */
function reaches(newer: Run, older: Run): boolean {
  if (newer.cursor === null) return true;
  if (older.start === null) return true;
  const last = newer.items.at(-1);
  return last !== undefined && monthOf(last) <= older.start;
}

function merge(newer: Run, older: Run): Run {
  const items = uniqueSorted([...newer.items, ...older.items]);
  const newerLast = newer.items.at(-1);
  const olderLast = older.items.at(-1);
  let cursor: string | null;
  if (newer.cursor === null || older.cursor === null) cursor = null;
  else if (!olderLast) cursor = newer.cursor;
  else if (!newerLast) cursor = older.cursor;
  else cursor = comparePos(positionOf(newerLast), positionOf(olderLast)) <= 0 ? newer.cursor : older.cursor;
  return { start: newer.start, items, cursor, pages: newer.pages + older.pages + 1 };
}

/** Sorts runs newest first and merges the ones that meet. */
export function normalize(runs: readonly Run[]): Run[] {
  const sorted = [...runs].sort((a, b) => (startsBefore(a, b) ? -1 : startsBefore(b, a) ? 1 : 0));
  const out: Run[] = [];
  for (const run of sorted) {
    const prev = out.at(-1);
    if (prev && reaches(prev, run)) out[out.length - 1] = merge(prev, run);
    else out.push(run);
  }
  return out;
}

/** Adds the page fetched with `cursor` to the run it continues; a stale answer (the run moved on) is dropped. */
export function appendPage(runs: readonly Run[], key: string, cursor: string, page: GalleryPage): Run[] {
  const at = runs.findIndex((run) => runKey(run.start) === key);
  if (at < 0 || runs[at].cursor !== cursor) return runs as Run[];
  const run = runs[at];
  const next = { ...run, items: uniqueSorted([...run.items, ...page.items]), cursor: page.nextCursor, pages: run.pages + 1 };
  return normalize(runs.map((r, i) => (i === at ? next : r)));
}

/** Adds a run that starts at `month` (the first page of `?from=month`). */
export function addMonthRun(runs: readonly Run[], month: string, page: GalleryPage): Run[] {
  if (runs.some((run) => run.start === month)) return runs as Run[];
  return normalize([...runs, runFromPage(month, page)]);
}

/**
 * The server sent a new first page (the page was re-rendered after an action):
 * it replaces the top run's first page, and what was loaded after it stays.
 */
export function rebaseTop(runs: readonly Run[], page: GalleryPage): Run[] {
  const top = runs.find((run) => run.start === null);
  // Nothing loaded past the first page, or the new page is the whole listing: take it as it is.
  if (!top || (top.pages === 0 && runs.length === 1) || page.nextCursor === null) return [runFromPage(null, page)];
  const rest = runs.filter((run) => run !== top);
  const fresh = { ...top, items: uniqueSorted([...page.items, ...top.items]) };
  return normalize([fresh, ...rest]);
}

/** Every loaded item, newest first. */
export function flatten(runs: readonly Run[]): GalleryItem[] {
  if (runs.length === 1) return runs[0].items;
  return uniqueSorted(runs.flatMap((run) => run.items));
}

/** Is every image of `month` loaded? */
export function monthComplete(runs: readonly Run[], month: string): boolean {
  return runs.some((run) => {
    if (run.start !== null && run.start < month) return false;
    if (run.cursor === null) return true;
    const last = run.items.at(-1);
    return last !== undefined && monthOf(last) < month;
  });
}

export type Load = { kind: "more"; key: string; cursor: string } | { kind: "from"; month: string };

/**
 * How to load `month`, given the months of the listing (newest first): continue
 * the run whose end is in that month or in the month just before it, or start a
 * new run there.
 */
export function loadFor(runs: readonly Run[], month: string, months: readonly string[]): Load | null {
  if (monthComplete(runs, month)) return null;
  const at = months.indexOf(month);
  const previous = at > 0 ? months[at - 1] : null;
  for (const run of runs) {
    if (run.cursor === null) continue;
    if (run.start !== null && run.start < month) continue;
    const last = run.items.at(-1);
    const lastMonth = last ? monthOf(last) : run.start;
    if (lastMonth === month || (lastMonth !== null && lastMonth === previous) || (at <= 0 && run.start === null)) {
      return { kind: "more", key: runKey(run.start), cursor: run.cursor };
    }
  }
  return { kind: "from", month };
}
