"use client";

import { memo, useCallback, useRef, useState } from "react";

import { ImageOffIcon } from "@/components/icons";
import type { Box } from "@/components/gallery/timeline-layout";
import type { GalleryItem, Variant } from "@/lib/gallery-types";

export type TileHandlers = {
  /** A plain click (or Enter) outside selection mode. */
  onOpen: (item: GalleryItem) => void;
  /** A click on the check mark, any click in selection mode, Space, or a long press. */
  onToggle: (id: string, opts: { shiftKey: boolean; selected?: boolean }) => void;
  onFocusTile: (id: string) => void;
  onHoverStart: (item: GalleryItem, element: HTMLElement) => void;
  onHoverEnd: () => void;
};

export type TileProps = {
  box: Box;
  selected: boolean;
  /** Something is selected: a click toggles instead of opening. */
  selectionMode: boolean;
  /** The tile that Tab lands on (roving tabindex). */
  tabbable: boolean;
  href: string | null;
  src: (item: GalleryItem, variant: Variant) => string;
  caption?: React.ReactNode;
  captionHeight: number;
} & TileHandlers;

const LONG_PRESS_MS = 500;

/**
 * One photo of the grid: a link that opens the viewer (or toggles the
 * selection in selection mode), and a large check target in its corner. The
 * selection ring is an inset outline and focus an outline just outside the
 * tile, so neither is clipped or covered by the neighbours.
 */
export const Tile = memo(function Tile({
  box,
  selected,
  selectionMode,
  tabbable,
  href,
  src,
  caption,
  captionHeight,
  onOpen,
  onToggle,
  onFocusTile,
  onHoverStart,
  onHoverEnd,
}: TileProps) {
  const { item } = box;
  const [status, setStatus] = useState<"loading" | "loaded" | "error">("loading");
  const analysisText = item.analysis === "failed" ? "Could not analyse" : item.analysis ? "Analysing…" : null;
  const pressTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const longPressed = useRef(false);
  const checkComplete = useCallback((img: HTMLImageElement | null) => {
    if (img?.complete && img.naturalWidth > 0) setStatus("loaded");
  }, []);

  const onClick = (event: React.MouseEvent) => {
    if (longPressed.current) {
      event.preventDefault();
      longPressed.current = false;
      return;
    }
    // Ctrl/Cmd-click opens the photo's page in a new tab, as links do.
    if (href && !selectionMode && !event.shiftKey && (event.metaKey || event.ctrlKey || event.button === 1)) return;
    event.preventDefault();
    if (selectionMode || event.shiftKey || !href) onToggle(item.id, { shiftKey: event.shiftKey });
    else onOpen(item);
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === " " && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      onToggle(item.id, { shiftKey: event.shiftKey });
    }
  };

  return (
    <li
      data-testid={caption ? "trash-item" : "gallery-item"}
      data-selected={selected || undefined}
      style={{ left: box.left, width: box.width, height: box.height + captionHeight }}
      className="group/tile absolute top-0 focus-within:z-10"
    >
      <a
        href={href ?? undefined}
        role={href ? undefined : "button"}
        data-tile-id={item.id}
        aria-label={href ? `Open ${item.name}` : item.name}
        aria-pressed={href ? undefined : selected}
        tabIndex={tabbable ? 0 : -1}
        draggable={false}
        onClick={onClick}
        onKeyDown={onKeyDown}
        onFocus={() => onFocusTile(item.id)}
        onPointerEnter={(event) => {
          if (event.pointerType === "mouse") onHoverStart(item, event.currentTarget);
        }}
        onPointerLeave={onHoverEnd}
        onPointerDown={(event) => {
          onHoverEnd();
          if (event.pointerType !== "touch") return;
          longPressed.current = false;
          clearTimeout(pressTimer.current);
          pressTimer.current = setTimeout(() => {
            longPressed.current = true;
            onToggle(item.id, { shiftKey: false });
          }, LONG_PRESS_MS);
        }}
        onPointerUp={() => clearTimeout(pressTimer.current)}
        onPointerCancel={() => clearTimeout(pressTimer.current)}
        onPointerMove={(event) => {
          if (event.pointerType === "touch" && (Math.abs(event.movementX) > 4 || Math.abs(event.movementY) > 4)) clearTimeout(pressTimer.current);
        }}
        onContextMenu={(event) => {
          if (longPressed.current) event.preventDefault();
        }}
        style={{ height: box.height }}
        className="block w-full cursor-pointer rounded-md bg-zinc-200 outline-offset-1 select-none [-webkit-touch-callout:none] focus-visible:outline-3 focus-visible:outline-sky-500 group-data-selected/tile:bg-sky-100 dark:bg-zinc-800 dark:group-data-selected/tile:bg-sky-950"
      >
        <span className="block size-full overflow-hidden rounded-md transition-transform duration-150 group-data-selected/tile:scale-[0.86] group-data-selected/tile:rounded-lg motion-reduce:transition-none">
          {status === "error" ? (
            <span className="flex size-full flex-col items-center justify-center gap-1 p-2 text-center text-xs text-zinc-600 dark:text-zinc-300">
              <ImageOffIcon className="size-6" />
              Preview unavailable
            </span>
          ) : (
            // eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes the server already resized; next/image would proxy and re-encode them.
            <img
              ref={checkComplete}
              src={src(item, "thumb")}
              alt=""
              width={box.width}
              height={box.height}
              loading="lazy"
              decoding="async"
              draggable={false}
              onLoad={() => setStatus("loaded")}
              onError={() => setStatus("error")}
              className={`size-full object-cover transition-opacity duration-300 ${status === "loaded" ? "opacity-100" : "opacity-0"}`}
            />
          )}
        </span>
        {/* The selection ring: an inset outline over the whole tile, never clipped. */}
        <span aria-hidden="true" className="pointer-events-none absolute inset-x-0 top-0 hidden rounded-md outline-3 -outline-offset-3 outline-sky-500 group-data-selected/tile:block" style={{ height: box.height }} />
      </a>
      {/* Beside the link, not in it: a link's visible words must be part of its name (axe), and the tile's name stays the photo's. */}
      {analysisText ? (
        <span
          style={{ top: box.height }}
          className="pointer-events-none absolute right-1 -translate-y-[calc(100%+4px)] rounded bg-black/70 px-1.5 py-0.5 text-[11px] font-medium text-white"
        >
          {analysisText}
        </span>
      ) : null}
      {caption ? (
        <div style={{ height: captionHeight }} className="truncate px-0.5 pt-1 text-xs text-zinc-700 dark:text-zinc-300">
          {caption}
        </div>
      ) : null}
      <label
        className={`absolute top-0 left-0 z-[1] flex size-11 cursor-pointer items-center justify-center transition-opacity ${
          selected || selectionMode ? "opacity-100" : "opacity-0 group-hover/tile:opacity-100 focus-within:opacity-100 group-focus-within/tile:opacity-100"
        }`}
      >
        <input
          type="checkbox"
          aria-label={`Select ${item.name}`}
          tabIndex={-1}
          checked={selected}
          onChange={() => {}}
          onClick={(event) => onToggle(item.id, { shiftKey: event.shiftKey, selected: event.currentTarget.checked })}
          className="peer size-6 cursor-pointer appearance-none rounded-full border-2 border-white bg-black/25 shadow-md checked:border-sky-600 checked:bg-sky-600 hover:bg-black/40 checked:hover:bg-sky-700"
        />
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="pointer-events-none absolute size-4 text-white opacity-70 peer-checked:opacity-100">
          <path fillRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" clipRule="evenodd" />
        </svg>
      </label>
    </li>
  );
});
