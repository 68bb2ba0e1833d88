import { describe, expect, it } from "vitest";

import { placePreview, neighboursOf } from "@/components/gallery/hover-placement";
import { addMonthRun, appendPage, flatten, loadFor, monthComplete, normalize, rebaseTop, runFromPage } from "@/components/gallery/image-runs";
import { buildRows, indexRows, monthSections } from "@/components/gallery/timeline-layout";
import { dayOf, monthOf, positionOf } from "@/components/gallery/timeline-position";
import type { GalleryItem } from "@/lib/gallery-types";

let n = 0;
function item(takenAt: string | null, createdAt = "2026-01-10T12:00:00.000Z", size: [number, number] = [400, 300]): GalleryItem {
  n++;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  return { id, name: `p${n}.jpg`, size: 1000, mime: "image/jpeg", width: size[0], height: size[1], createdAt, takenAt, trashedAt: null };
}

describe("timeline positions", () => {
  it("uses the date taken as wall-clock time, else the upload time", () => {
    const taken = item("2019-07-04T23:30:00");
    const uploaded = item(null, "2026-01-10T12:00:00.000Z");
    expect(positionOf(taken)[0]).toBe(Date.UTC(2019, 6, 4, 23, 30));
    expect(monthOf(taken)).toBe("2019-07");
    expect(dayOf(taken)).toBe("2019-07-04");
    expect(monthOf(uploaded)).toBe("2026-01");
    // An offset the camera wrote does not move the wall-clock day.
    expect(dayOf(item("2019-07-04T23:30:00+05:00"))).toBe("2019-07-04");
  });
});

describe("runs", () => {
  const aug = [item("2025-08-20T10:00:00"), item("2025-08-14T10:00:00"), item("2025-08-01T10:00:00")];
  const jul = [item("2025-07-30T10:00:00"), item("2025-07-02T10:00:00")];
  const jan = [item("2024-01-05T10:00:00")];
  const months = ["2025-08", "2025-07", "2024-01"];

  it("knows which months are fully loaded", () => {
    const runs = [runFromPage(null, { items: aug.slice(0, 2), nextCursor: "c1", total: 6 })];
    expect(monthComplete(runs, "2025-08")).toBe(false);
    expect(loadFor(runs, "2025-08", months)).toEqual({ kind: "more", key: "top", cursor: "c1" });
    // July is right after the run's end: continue the run rather than jump.
    expect(loadFor(runs, "2025-07", months)).toEqual({ kind: "more", key: "top", cursor: "c1" });
    // January is further away: start a run there (?from=2024-01).
    expect(loadFor(runs, "2024-01", months)).toEqual({ kind: "from", month: "2024-01" });
  });

  it("appends pages, drops stale ones, and merges runs that meet", () => {
    let runs = [runFromPage(null, { items: aug.slice(0, 2), nextCursor: "c1", total: 6 })];
    runs = addMonthRun(runs, "2024-01", { items: jan, nextCursor: null, total: 6 });
    expect(runs).toHaveLength(2);
    expect(monthComplete(runs, "2024-01")).toBe(true);
    expect(monthComplete(runs, "2025-07")).toBe(false);
    expect(appendPage(runs, "top", "stale", { items: jul, nextCursor: null, total: 6 })).toBe(runs);
    runs = appendPage(runs, "top", "c1", { items: [aug[2], ...jul], nextCursor: "c2", total: 6 });
    expect(runs).toHaveLength(2);
    expect(monthComplete(runs, "2025-08")).toBe(true);
    expect(monthComplete(runs, "2025-07")).toBe(false);
    // The next page runs into January's run: one run, which has everything.
    runs = appendPage(runs, "top", "c2", { items: jan, nextCursor: null, total: 6 });
    expect(runs).toHaveLength(1);
    expect(runs[0].cursor).toBeNull();
    expect(flatten(runs).map((i) => i.id)).toEqual([...aug, ...jul, ...jan].map((i) => i.id));
    expect(months.every((m) => monthComplete(runs, m))).toBe(true);
  });

  it("keeps the cursor of whichever run reaches further when merging", () => {
    const merged = normalize([
      runFromPage("2025-07", { items: jul, nextCursor: "after-jul", total: 6 }),
      runFromPage(null, { items: [...aug, jul[0]], nextCursor: "after-jul-0", total: 6 }),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ start: null, cursor: "after-jul" });
  });

  it("takes a new first page from the server without losing what was loaded after it", () => {
    let runs = [runFromPage(null, { items: aug.slice(0, 2), nextCursor: "c1", total: 6 })];
    runs = appendPage(runs, "top", "c1", { items: [aug[2]], nextCursor: "c2", total: 6 });
    const fresh = item("2025-09-01T00:00:00");
    runs = rebaseTop(runs, { items: [fresh, aug[0]], nextCursor: "x", total: 7 });
    expect(flatten(runs).map((i) => i.id)).toEqual([fresh, ...aug].map((i) => i.id));
    expect(runs[0].cursor).toBe("c2");
  });
});

describe("layout", () => {
  it("groups by month and day, keeps aspect ratios and adds placeholders for what is not loaded", () => {
    const wide = item("2025-08-14T10:00:00", undefined, [3000, 600]);
    const tall = item("2025-08-14T09:00:00", undefined, [600, 900]);
    const other = item("2025-08-01T09:00:00");
    const sections = monthSections([wide, tall, other], [{ month: "2025-08", count: 3 }, { month: "2024-02", count: 40 }], (m) => m === "2025-08");
    expect(sections.map((s) => [s.month, s.items.length, s.complete])).toEqual([
      ["2025-08", 3, true],
      ["2024-02", 0, false],
    ]);
    const rows = buildRows(sections, { width: 1400, grouped: true });
    const kinds = rows.map((r) => r.kind);
    expect(kinds.slice(0, 3)).toEqual(["month", "day", "photos"]);
    expect(kinds.filter((k) => k === "day")).toHaveLength(2);
    expect(kinds.slice(-2)).toEqual(["month", "placeholder"]);
    const photos = rows.filter((r) => r.kind === "photos");
    for (const row of photos) {
      for (const box of row.boxes) {
        const ratio = box.item.width / box.item.height;
        expect(box.width / box.height).toBeCloseTo(Math.min(ratio, 5), 0);
        expect(box.left + box.width).toBeLessThanOrEqual(1400);
      }
    }
    const placeholder = rows.at(-1)!;
    expect(placeholder).toMatchObject({ kind: "placeholder", month: "2024-02", count: 40 });
    expect(placeholder.height).toBeGreaterThan(500);
    expect(indexRows(rows).get(other.id)).toEqual({ row: kinds.lastIndexOf("photos"), box: 0 });
  });

  it("lays out 10,000 images quickly", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => item(`2020-0${1 + (i % 9)}-1${i % 10}T10:00:00`, undefined, [300 + (i % 7) * 100, 400]));
    many.sort((a, b) => positionOf(b)[0] - positionOf(a)[0]);
    const started = performance.now();
    const rows = buildRows(monthSections(many, [], () => true), { width: 1200, grouped: true });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(rows.filter((r) => r.kind === "photos").reduce((s, r) => s + (r.kind === "photos" ? r.boxes.length : 0), 0)).toBe(10_000);
  });
});

describe("hover preview placement", () => {
  const viewport = { width: 1280, height: 720 };
  const grid = (cols: number, rows: number, size = 200, gap = 4) =>
    Array.from({ length: cols * rows }, (_, i) => {
      const left = (i % cols) * (size + gap);
      const top = 100 + Math.floor(i / cols) * (size + gap);
      return { left, top, right: left + size, bottom: top + size };
    });

  it("goes beside the tile without covering its neighbours, inside the viewport", () => {
    const tiles = grid(6, 3);
    const tile = tiles[7];
    const neighbours = neighboursOf(tile, tiles.filter((t) => t !== tile));
    expect(neighbours).toHaveLength(8);
    const p = placePreview({ tile, avoid: neighbours, aspect: 1.5, viewport })!;
    expect(p).not.toBeNull();
    const rect = { left: p.left, top: p.top, right: p.left + p.width, bottom: p.top + p.height };
    for (const r of [tile, ...neighbours]) {
      expect(rect.left < r.right && r.left < rect.right && rect.top < r.bottom && r.top < rect.bottom).toBe(false);
    }
    expect(rect.left).toBeGreaterThanOrEqual(0);
    expect(rect.right).toBeLessThanOrEqual(viewport.width);
    expect(rect.bottom).toBeLessThanOrEqual(viewport.height);
  });

  it("goes left near the right edge, and nowhere when there is no room", () => {
    const tiles = grid(6, 1);
    const tile = tiles[5];
    const p = placePreview({ tile, avoid: [tiles[4]], aspect: 1, viewport })!;
    expect(p.left + p.width).toBeLessThanOrEqual(tiles[4].left);
    expect(placePreview({ tile: { left: 0, top: 0, right: 1280, bottom: 720 }, avoid: [], aspect: 1, viewport })).toBeNull();
  });
});
