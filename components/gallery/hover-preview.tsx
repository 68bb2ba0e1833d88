"use client";

import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";

import { Spinner } from "@/components/icons";
import { type Placement, type Rect, neighboursOf, placePreview } from "@/components/gallery/hover-placement";
import type { GalleryItem, Variant } from "@/lib/gallery-types";

const HOVER_DELAY_MS = 400;

type Hover = { item: GalleryItem; placement: Placement } | null;

/** A tiny store, so hovering re-renders the preview and not the grid. */
function createHoverStore() {
  let value: Hover = null;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next: Hover) {
      if (next === value) return;
      value = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
type HoverStore = ReturnType<typeof createHoverStore>;
const noHover = () => null;

const rectOf = (el: Element): Rect => {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
};

/**
 * Hover previews for a grid: after a pause on a tile, a larger preview appears
 * beside it, outside the block of the tile and its neighbours, inside the
 * viewport (hover-placement.ts), or not at all when there is no such place.
 */
export function useHoverPreview(container: React.RefObject<HTMLElement | null>) {
  const [store] = useState(createHoverStore);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hide = useCallback(() => {
    clearTimeout(timer.current);
    store.set(null);
  }, [store]);
  const show = useCallback(
    (item: GalleryItem, element: HTMLElement) => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        if (!element.isConnected || !element.matches(":hover")) return;
        const tile = rectOf(element);
        const others = [...(container.current?.querySelectorAll("[data-tile-id]") ?? [])].filter((el) => el !== element).map(rectOf);
        const placement = placePreview({
          tile,
          avoid: neighboursOf(tile, others),
          aspect: item.width > 0 && item.height > 0 ? item.width / item.height : 1,
          viewport: { width: document.documentElement.clientWidth, height: window.innerHeight },
        });
        if (placement) store.set({ item, placement });
      }, HOVER_DELAY_MS);
    },
    [container, store],
  );
  useEffect(() => () => clearTimeout(timer.current), []);
  return { store, show, hide };
}

export function HoverPreview({ store, src }: { store: HoverStore; src: (item: GalleryItem, variant: Variant) => string }) {
  const hover = useSyncExternalStore(store.subscribe, store.get, noHover);

  // The placement is a snapshot: hide on scroll or resize rather than drift.
  useEffect(() => {
    if (!hover) return;
    const hide = () => store.set(null);
    window.addEventListener("scroll", hide, { passive: true, capture: true });
    window.addEventListener("resize", hide);
    window.addEventListener("blur", hide);
    return () => {
      window.removeEventListener("scroll", hide, { capture: true });
      window.removeEventListener("resize", hide);
      window.removeEventListener("blur", hide);
    };
  }, [hover, store]);

  if (!hover) return null;
  return <HoverCard key={hover.item.id} item={hover.item} placement={hover.placement} src={src} />;
}

function HoverCard({ item, placement, src }: { item: GalleryItem; placement: Placement; src: (item: GalleryItem, variant: Variant) => string }) {
  const [loaded, setLoaded] = useState(false);
  const { left, top, width, height } = placement;
  return (
    <div
      aria-hidden="true"
      data-testid="hover-preview"
      style={{ left, top, width, height }}
      className="pointer-events-none fixed z-30 overflow-hidden rounded-xl bg-zinc-200 shadow-2xl ring-1 ring-zinc-900/10 transition duration-150 starting:scale-95 starting:opacity-0 dark:bg-zinc-800 dark:ring-white/15"
    >
      {/* The thumbnail is cached already; it stands in until the preview arrives. */}
      {/* eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes that the server already resized. */}
      <img src={src(item, "thumb")} alt="" width={width} height={height} className="absolute inset-0 h-full w-full object-cover" />
      {/* eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes that the server already resized. */}
      <img
        src={src(item, "preview")}
        alt=""
        width={width}
        height={height}
        decoding="async"
        onLoad={() => setLoaded(true)}
        className={`absolute inset-0 h-full w-full object-cover transition-opacity duration-200 ${loaded ? "opacity-100" : "opacity-0"}`}
      />
      {!loaded ? <Spinner className="absolute right-2 bottom-2 size-4 text-white drop-shadow" /> : null}
    </div>
  );
}
