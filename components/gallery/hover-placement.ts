// Where the hover preview goes: beside the hovered tile, outside the block
// that the tile and its neighbours form (so it never covers them), and
// inside the viewport. Pure, so the rule is unit-tested.

export type Rect = { left: number; top: number; right: number; bottom: number };
export type Placement = { left: number; top: number; width: number; height: number };

const GAP = 12;
const MARGIN = 8;

const intersects = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The union of rects. */
export function unionOf(rects: readonly Rect[]): Rect {
  return rects.reduce((u, r) => ({
    left: Math.min(u.left, r.left),
    top: Math.min(u.top, r.top),
    right: Math.max(u.right, r.right),
    bottom: Math.max(u.bottom, r.bottom),
  }));
}

/**
 * Its neighbours in the grid: tiles within `reach` pixels of `tile`, which
 * spans the spacing between tiles and a day header between two rows.
 */
export function neighboursOf(tile: Rect, others: readonly Rect[], reach = 48): Rect[] {
  const grown = { left: tile.left - reach, top: tile.top - reach, right: tile.right + reach, bottom: tile.bottom + reach };
  return others.filter((r) => intersects(grown, r));
}

/**
 * The largest preview (up to `max` on its long side, at the image's aspect
 * ratio, at least `min`) placed right of, left of, below or above `avoid`,
 * vertically or horizontally centred on `tile` and clamped into the viewport,
 * that overlaps nothing in `avoid`. Null when no such place exists.
 */
export function placePreview({
  tile,
  avoid,
  aspect,
  viewport,
  max = 480,
  min = 160,
}: {
  tile: Rect;
  avoid: readonly Rect[];
  aspect: number;
  viewport: { width: number; height: number };
  max?: number;
  min?: number;
}): Placement | null {
  const block = unionOf([tile, ...avoid]);
  const ratio = aspect > 0 && Number.isFinite(aspect) ? aspect : 1;
  const size = (long: number) => (ratio >= 1 ? { width: long, height: long / ratio } : { width: long * ratio, height: long });
  const clampY = (h: number) => Math.min(Math.max((tile.top + tile.bottom) / 2 - h / 2, MARGIN), viewport.height - h - MARGIN);
  const clampX = (w: number) => Math.min(Math.max((tile.left + tile.right) / 2 - w / 2, MARGIN), viewport.width - w - MARGIN);
  const candidates: ((w: number, h: number) => Placement)[] = [
    (w, h) => ({ left: block.right + GAP, top: clampY(h), width: w, height: h }),
    (w, h) => ({ left: block.left - GAP - w, top: clampY(h), width: w, height: h }),
    (w, h) => ({ left: clampX(w), top: block.bottom + GAP, width: w, height: h }),
    (w, h) => ({ left: clampX(w), top: block.top - GAP - h, width: w, height: h }),
  ];
  for (let long = max; long >= min; long -= 16) {
    const { width, height } = size(long);
    for (const place of candidates) {
      const p = place(Math.round(width), Math.round(height));
      const rect = { left: p.left, top: p.top, right: p.left + p.width, bottom: p.top + p.height };
      const inside = rect.left >= MARGIN - 0.5 && rect.top >= MARGIN - 0.5 && rect.right <= viewport.width - MARGIN + 0.5 && rect.bottom <= viewport.height - MARGIN + 0.5;
      if (inside && !intersects(rect, block)) return p;
    }
  }
  return null;
}
