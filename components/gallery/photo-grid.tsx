"use client";

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from "react";

import { HoverPreview, useHoverPreview } from "@/components/gallery/hover-preview";
import { Tile, type TileHandlers } from "@/components/gallery/tile";
import { type MonthSection, type Row, buildRows, indexRows } from "@/components/gallery/timeline-layout";
import { dayLabel, monthLabel } from "@/components/gallery/timeline-position";
import type { GalleryItem, Variant } from "@/lib/gallery-types";

export type PhotoGridHandle = {
  /** Scrolls to an item, and focuses it when asked. */
  revealItem: (id: string, opts?: { focus?: boolean }) => void;
  /** Scrolls so that a month's header is at the top. */
  scrollToMonth: (month: string) => void;
  /** Document offsets of each month's header (for the date scrubber), and the grid's height. */
  monthOffsets: () => { offsets: Map<string, number>; top: number; height: number };
};

export type PhotoGridProps = {
  sections: MonthSection[];
  grouped: boolean;
  label: string;
  isSelected: (id: string) => boolean;
  selectionMode: boolean;
  /** Link of a photo's page; null: tiles only select (the trash). */
  hrefFor: ((item: GalleryItem) => string) | null;
  src: (item: GalleryItem, variant: Variant) => string;
  caption?: (item: GalleryItem) => React.ReactNode;
  onOpen: (item: GalleryItem) => void;
  onToggle: (id: string, opts: { shiftKey: boolean; selected?: boolean }) => void;
  /** Shift+arrow keys: select from the anchor to `to`. */
  onExtend: (from: string, to: string) => void;
  /** A placeholder of a month not loaded yet came into view. */
  onNeedMonth: (month: string) => void;
  /** Rows changed (e.g. the scrubber re-reads offsets). */
  onLayout?: () => void;
  ref?: React.Ref<PhotoGridHandle>;
};

const CAPTION = 20;

/**
 * The justified, virtualised grid: only the rows near the viewport are in the
 * DOM, so 10,000 images scroll like 50. Keyboard: arrows move between photos
 * (Shift extends the selection), Home/End, Enter opens, Space selects.
 */
export function PhotoGrid(props: PhotoGridProps) {
  const { sections, grouped, label, isSelected, selectionMode, hrefFor, src, caption, onOpen, onToggle, onExtend, onNeedMonth, onLayout, ref } = props;
  const container = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [scrollMargin, setScrollMargin] = useState(0);

  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return;
    const measure = () => {
      setWidth(Math.floor(el.getBoundingClientRect().width));
      setScrollMargin(el.getBoundingClientRect().top + window.scrollY);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, []);

  const captionHeight = caption ? CAPTION : 0;
  const rows = useMemo(() => (width > 0 ? buildRows(sections, { width, grouped, captionHeight }) : []), [sections, width, grouped, captionHeight]);
  const where = useMemo(() => indexRows(rows), [rows]);
  const order = useMemo(() => rows.flatMap((row) => (row.kind === "photos" ? row.boxes.map((b) => b.item.id) : [])), [rows]);

  const getItemKey = useCallback((index: number) => rows[index]?.key ?? index, [rows]);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (index) => rows[index]?.height ?? 0,
    getItemKey,
    overscan: 12,
    scrollMargin,
  });
  const virtualRows = virtualizer.getVirtualItems();

  const layoutChanged = useRef(onLayout);
  useEffect(() => {
    layoutChanged.current = onLayout;
  });
  useEffect(() => {
    layoutChanged.current?.();
  }, [rows, scrollMargin]);

  // Placeholders in view ask for their month.
  const visiblePlaceholders = virtualRows
    .map((v) => rows[v.index])
    .filter((row): row is Extract<Row, { kind: "placeholder" }> => row?.kind === "placeholder")
    .map((row) => row.month)
    .join(",");
  const needMonth = useRef(onNeedMonth);
  useEffect(() => {
    needMonth.current = onNeedMonth;
  });
  useEffect(() => {
    if (!visiblePlaceholders) return;
    for (const month of visiblePlaceholders.split(",")) needMonth.current(month);
  }, [visiblePlaceholders]);

  // Roving focus: one tile is in the tab order.
  const [activeId, setActiveId] = useState<string | null>(null);
  const renderedIds = new Set(virtualRows.flatMap((v) => (rows[v.index]?.kind === "photos" ? (rows[v.index] as Extract<Row, { kind: "photos" }>).boxes.map((b) => b.item.id) : [])));
  const tabbableId = activeId && renderedIds.has(activeId) ? activeId : ([...renderedIds][0] ?? null);

  const revealItem = useCallback(
    (id: string, { focus = false }: { focus?: boolean } = {}) => {
      const at = where.get(id);
      if (!at) return;
      setActiveId(id);
      const el = container.current?.querySelector<HTMLElement>(`[data-tile-id="${CSS.escape(id)}"]`);
      const rect = el?.getBoundingClientRect();
      const inView = rect && rect.top >= 64 && rect.bottom <= window.innerHeight - 8;
      if (!inView) virtualizer.scrollToIndex(at.row, { align: "auto" });
      if (!focus) return;
      if (el && inView) {
        el.focus({ preventScroll: true });
        return;
      }
      let tries = 0;
      const attempt = () => {
        const target = container.current?.querySelector<HTMLElement>(`[data-tile-id="${CSS.escape(id)}"]`);
        if (target) target.focus({ preventScroll: true });
        else if (tries++ < 20) requestAnimationFrame(attempt);
      };
      requestAnimationFrame(attempt);
    },
    [where, virtualizer],
  );

  useImperativeHandle(
    ref,
    () => ({
      revealItem,
      scrollToMonth: (month: string) => {
        const index = rows.findIndex((row) => row.kind === "month" && row.month === month);
        if (index >= 0) virtualizer.scrollToIndex(index, { align: "start" });
      },
      monthOffsets: () => {
        const offsets = new Map<string, number>();
        let y = scrollMargin;
        for (const row of rows) {
          if (row.kind === "month") offsets.set(row.month, y);
          y += row.height;
        }
        return { offsets, top: scrollMargin, height: y - scrollMargin };
      },
    }),
    [revealItem, rows, scrollMargin, virtualizer],
  );

  const move = (from: string, key: string): string | null => {
    const i = order.indexOf(from);
    if (i < 0) return null;
    if (key === "ArrowLeft") return order[i - 1] ?? null;
    if (key === "ArrowRight") return order[i + 1] ?? null;
    if (key === "Home") return order[0] ?? null;
    if (key === "End") return order.at(-1) ?? null;
    const at = where.get(from)!;
    const row = rows[at.row] as Extract<Row, { kind: "photos" }>;
    const box = row.boxes[at.box];
    const centre = box.left + box.width / 2;
    const step = key === "ArrowUp" ? -1 : 1;
    for (let r = at.row + step; r >= 0 && r < rows.length; r += step) {
      const candidate = rows[r];
      if (candidate.kind !== "photos") continue;
      let best = candidate.boxes[0];
      for (const b of candidate.boxes) if (Math.abs(b.left + b.width / 2 - centre) < Math.abs(best.left + best.width / 2 - centre)) best = b;
      return best.item.id;
    }
    return null;
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(event.key)) return;
    const from = (event.target as HTMLElement).closest<HTMLElement>("[data-tile-id]")?.dataset.tileId;
    if (!from) return;
    event.preventDefault();
    const to = move(from, event.key);
    if (!to) return;
    if (event.shiftKey) onExtend(from, to);
    revealItem(to, { focus: true });
  };

  const { store, show, hide } = useHoverPreview(container);
  const tileHandlers = useMemo(
    () => ({ onOpen, onToggle, onFocusTile: setActiveId, onHoverStart: show, onHoverEnd: hide }),
    [onOpen, onToggle, show, hide],
  );

  return (
    <div ref={container} role="group" aria-label={label} aria-describedby="grid-keys" onKeyDown={onKeyDown} className="relative w-full">
      <p id="grid-keys" className="sr-only">
        Arrow keys move between photos, Enter opens one, Space selects it, Shift with an arrow key extends the selection, Control+A selects all, Delete moves the selection
        to the trash, Escape clears it.
      </p>
      <div style={{ height: virtualizer.getTotalSize() }} className="relative w-full">
        {virtualRows.map((virtual) => {
          const row = rows[virtual.index];
          if (!row) return null;
          return (
            <div
              key={virtual.key}
              data-index={virtual.index}
              style={{ height: row.height, transform: `translateY(${virtual.start - scrollMargin}px)` }}
              className="absolute top-0 left-0 w-full"
            >
              <RowView row={row} isSelected={isSelected} selectionMode={selectionMode} tabbableId={tabbableId} hrefFor={hrefFor} src={src} caption={caption} captionHeight={captionHeight} handlers={tileHandlers} />
            </div>
          );
        })}
      </div>
      <HoverPreview store={store} src={src} />
    </div>
  );
}

function RowView({
  row,
  isSelected,
  selectionMode,
  tabbableId,
  hrefFor,
  src,
  caption,
  captionHeight,
  handlers,
}: {
  row: Row;
  isSelected: (id: string) => boolean;
  selectionMode: boolean;
  tabbableId: string | null;
  hrefFor: ((item: GalleryItem) => string) | null;
  src: (item: GalleryItem, variant: Variant) => string;
  caption?: (item: GalleryItem) => React.ReactNode;
  captionHeight: number;
  handlers: TileHandlers;
}) {
  switch (row.kind) {
    case "month":
      return (
        <h2 className="flex h-full items-end pb-2 text-xl font-semibold tracking-tight">
          {monthLabel(row.month)}
        </h2>
      );
    case "day":
      return <h3 className="flex h-full items-center text-sm font-medium text-zinc-700 dark:text-zinc-300">{dayLabel(row.day)}</h3>;
    case "placeholder":
      return (
        <div aria-hidden="true" className="h-full w-full pb-1">
          <div className="h-full w-full animate-pulse rounded-md bg-[repeating-linear-gradient(90deg,var(--color-zinc-200)_0_180px,transparent_180px_184px)] dark:bg-[repeating-linear-gradient(90deg,var(--color-zinc-800)_0_180px,transparent_180px_184px)]" />
        </div>
      );
    case "photos":
      return (
        <ul className="relative w-full" style={{ height: row.rowHeight + captionHeight }}>
          {row.boxes.map((box) => (
            <Tile
              key={box.item.id}
              box={box}
              selected={isSelected(box.item.id)}
              selectionMode={selectionMode}
              tabbable={box.item.id === tabbableId}
              href={hrefFor ? hrefFor(box.item) : null}
              src={src}
              caption={caption?.(box.item)}
              captionHeight={captionHeight}
              {...handlers}
            />
          ))}
        </ul>
      );
  }
}
