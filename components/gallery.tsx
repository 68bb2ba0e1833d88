"use client";

import {
  memo,
  useCallback,
  useEffect,
  useEffectEvent,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";

import { fitInside, formatBytes, formatDate, type DateFormatOptions } from "@/components/format";
import { ImageOffIcon, ImageViewer, Spinner } from "@/components/image-viewer";
import { createZipDownloadAction, trashImagesAction } from "@/app/(gallery)/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { SelectionBar } from "@/components/selection-bar";
import { useGallery } from "@/components/use-gallery";
import { type SelectionPayload, useSelection } from "@/components/use-selection";
import { imageUrl, type GalleryItem, type GalleryPage } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

export type GalleryProps = {
  /** How many images the account holds (server count plus this session's uploads). */
  total?: number;
  /** First page from the server, newest first. */
  initial: GalleryPage;
  /** Uploaded during this session, newest first; de-duplicated against loaded items. */
  added?: GalleryItem[];
  /** Called with the visible list whenever it changes (e.g. for selection). */
  onItemsChange?: (items: GalleryItem[]) => void;
};

const NO_ITEMS: GalleryItem[] = [];
const TRASH_DAYS = 30;

type PendingDelete = { payload: SelectionPayload; count: number; preview: GalleryItem[]; fromSelection?: boolean };
const THUMB_SIZE = 400;
const HOVER_DELAY_MS = 400;

// Server and first client render agree on dates; after hydration the viewer's own
// locale and zone take over (one re-render of the tiles).
const SSR_DATES: DateFormatOptions = { locale: "en-US", timeZone: "UTC" };
const LOCAL_DATES: DateFormatOptions = {};
const noSubscribe = () => () => {};
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

// ---------------------------------------------------------------------------
// Hover preview: a tiny store so hovering does not re-render the grid.
// ---------------------------------------------------------------------------

type Hover = { item: GalleryItem; rect: DOMRect } | null;

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
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
type HoverStore = ReturnType<typeof createHoverStore>;
const noHover = () => null;

export function Gallery({ initial, added = NO_ITEMS, onItemsChange, total: knownTotal }: GalleryProps) {
  const { items, hasMore, loading, error, loadMore, removeItems } = useGallery({ initial, added });
  const [removedCount, setRemovedCount] = useState(0);
  const total = Math.max(items.length, (knownTotal ?? items.length) - removedCount);
  const selection = useSelection({ items, total });
  const [confirm, setConfirm] = useState<PendingDelete | null>(null);
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState("");

  const askDelete = useCallback(
    (payload: SelectionPayload, count: number, preview: GalleryItem[]) => setConfirm({ payload, count, preview: preview.slice(0, 4) }),
    [],
  );

  const confirmDelete = async () => {
    if (!confirm) return;
    setBusy(true);
    try {
      const result = await trashImagesAction(undefined, { selection: packSelection(confirm.payload) });
      if (result.status === "success") {
        const moved = result.data ?? 0;
        const payload = confirm.payload;
        // "All" also covers pages never loaded; the server skipped them from listing already.
        const kept = new Set("ids" in payload ? [] : (payload.except ?? []));
        const gone = "ids" in payload ? payload.ids : items.filter((item) => !kept.has(item.id)).map((i) => i.id);
        removeItems(gone);
        setRemovedCount((n) => n + moved);
        if ("ids" in payload && payload.ids.length === 1 && selection.count <= 1) selection.clear();
        else if (confirm.fromSelection) selection.clear();
        setAnnouncement(`Moved ${moved} image${moved === 1 ? "" : "s"} to the trash.`);
      } else if (result.status === "error") {
        setAnnouncement(result.message);
      }
    } catch {
      setAnnouncement("Couldn't reach the server. Nothing was deleted; please try again.");
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const download = async () => {
    const payload = selection.payload;
    if ("ids" in payload && payload.ids.length === 1) {
      window.location.assign(imageUrl(payload.ids[0], "original", { download: true }));
      setAnnouncement("Your download has started.");
      return;
    }
    setBusy(true);
    setAnnouncement(`Preparing a zip of ${selection.count} images…`);
    try {
      const result = await createZipDownloadAction(undefined, { selection: packSelection(payload) });
      if (result.status === "success" && result.data) {
        // A plain navigation: the browser streams the zip to disk as a native download.
        window.location.assign(result.data.url);
        setAnnouncement(`Your zip of ${result.data.count} images is downloading.`);
      } else if (result.status === "error") {
        setAnnouncement(result.message);
      }
    } catch {
      setAnnouncement("Couldn't reach the server. Please try again.");
    } finally {
      setBusy(false);
    }
  };
  const hydrated = useHydrated();
  const dates = hydrated ? LOCAL_DATES : SSR_DATES;

  const notifyItems = useEffectEvent((list: GalleryItem[]) => onItemsChange?.(list));
  useEffect(() => {
    notifyItems(items);
  }, [items]);

  // Viewer: tracked by id so uploads arriving in front do not shift what is shown.
  const [openId, setOpenId] = useState<string | null>(null);
  const openIndex = useMemo(() => (openId === null ? -1 : items.findIndex((item) => item.id === openId)), [items, openId]);
  const viewerOpen = openIndex >= 0;
  // The tile that opened the viewer and where it was on screen, to come back to.
  const opener = useRef<{ element: HTMLElement; top: number } | null>(null);

  // Hover previews
  const [hover] = useState(createHoverStore);
  const hoverTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hideHover = useCallback(() => {
    clearTimeout(hoverTimer.current);
    hover.set(null);
  }, [hover]);
  const showHoverSoon = useCallback(
    (item: GalleryItem, element: HTMLElement) => {
      clearTimeout(hoverTimer.current);
      hoverTimer.current = setTimeout(() => {
        if (element.isConnected && element.matches(":hover")) hover.set({ item, rect: element.getBoundingClientRect() });
      }, HOVER_DELAY_MS);
    },
    [hover],
  );
  useEffect(() => () => clearTimeout(hoverTimer.current), []);

  const open = useCallback(
    (id: string, element: HTMLElement) => {
      hideHover();
      opener.current = { element, top: element.getBoundingClientRect().top };
      setOpenId(id);
    },
    [hideHover],
  );
  const close = useCallback(() => setOpenId(null), []);
  // While the viewer is open the grid is display:none (see below). Once it is back,
  // put the opening tile where it was and give it focus again.
  useLayoutEffect(() => {
    if (viewerOpen) return;
    const back = opener.current;
    opener.current = null;
    if (!back?.element.isConnected) return;
    const drift = back.element.getBoundingClientRect().top - back.top;
    if (drift) window.scrollBy(0, drift);
    back.element.focus({ preventScroll: true });
  }, [viewerOpen]);
  const showIndex = useCallback((index: number) => setOpenId(items[index]?.id ?? null), [items]);

  // Infinite scroll: watch a sentinel below the grid. Re-subscribing after each page
  // re-checks the sentinel, so a short page that leaves it visible loads the next one.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasMore || loading || error || viewerOpen || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void loadMore();
      },
      { rootMargin: "0px 0px 1200px 0px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loading, error, viewerOpen, loadMore]);

  const empty = items.length === 0 && !hasMore;

  return (
    <section aria-label="Gallery" className="flex flex-col gap-6">
      {!empty ? (
        <SelectionBar
          count={selection.count}
          total={total}
          busy={busy}
          onSelectAll={selection.selectAll}
          onClear={selection.clear}
          actions={[
            { label: "Download selected", onClick: () => void download() },
            {
              label: "Delete selected",
              tone: "danger",
              onClick: () => {
                setConfirm({ payload: selection.payload, count: selection.count, preview: selection.selectedLoaded.slice(0, 4), fromSelection: true });
              },
            },
          ]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="sr-only" data-testid="gallery-announcement">
        {announcement}
      </p>
      {announcement ? (
        <p aria-hidden="true" className="-mt-3 text-sm text-zinc-600 dark:text-zinc-400">
          {announcement}
        </p>
      ) : null}
      {empty ? (
        <EmptyState />
      ) : (
        // showModal makes the rest of the page inert, and Chrome restyles every element
        // for that: seconds with 10,000 tiles. Taking the grid out of rendering while the
        // (opaque, full-screen) viewer covers it makes opening and closing cheap.
        <div className={viewerOpen ? "hidden" : undefined}>
          <GalleryGrid
            items={items}
            dates={dates}
            onOpen={open}
            onHoverStart={showHoverSoon}
            onHoverEnd={hideHover}
            isSelected={selection.isSelected}
            onToggle={selection.toggle}
          />
        </div>
      )}

      <div ref={sentinel} aria-hidden="true" className="h-px" />
      <GalleryFooter
        count={items.length}
        hasMore={hasMore}
        loading={loading}
        error={error}
        onLoadMore={loadMore}
      />

      <HoverPreview store={hover} />

      {viewerOpen ? (
        <ImageViewer
          items={items}
          index={openIndex}
          onIndexChange={showIndex}
          onClose={close}
          hasMore={hasMore}
          loadingMore={loading}
          loadMoreError={error}
          onLoadMore={loadMore}
          onDelete={(item) => {
            close();
            askDelete({ ids: [item.id] }, 1, [item]);
          }}
        />
      ) : null}

      {confirm ? (
        <ConfirmDialog
          title={`Move ${confirm.count} image${confirm.count === 1 ? "" : "s"} to the trash?`}
          confirmLabel="Move to trash"
          busy={busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => {
            if (!busy) setConfirm(null);
          }}
        >
          <p className="mb-3">You can restore them from the trash for {TRASH_DAYS} days; after that they are deleted for good.</p>
          {confirm.preview.length ? (
            <ul className="flex gap-2" aria-label="Selected images">
              {confirm.preview.map((item) => (
                <li key={item.id} className="size-16 overflow-hidden rounded-md bg-zinc-200 dark:bg-zinc-800">
                  {/* eslint-disable-next-line @next/next/no-img-element -- private thumbnails, already resized on the server */}
                  <img src={imageUrl(item.id, "thumb")} alt={item.name} className="size-full object-cover" />
                </li>
              ))}
              {confirm.count > confirm.preview.length ? (
                <li className="flex size-16 items-center justify-center rounded-md bg-zinc-100 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
                  +{confirm.count - confirm.preview.length}
                </li>
              ) : null}
            </ul>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------------------
// Grid and tiles
// ---------------------------------------------------------------------------

type TileHandlers = {
  onOpen: (id: string, element: HTMLElement) => void;
  onToggle: (id: string, opts: { shiftKey: boolean; selected: boolean }) => void;
  onHoverStart: (item: GalleryItem, element: HTMLElement) => void;
  onHoverEnd: () => void;
};

const GalleryGrid = memo(function GalleryGrid({
  items,
  dates,
  isSelected,
  ...handlers
}: { items: GalleryItem[]; dates: DateFormatOptions; isSelected: (id: string) => boolean } & TileHandlers) {
  return (
    <ul
      aria-label="Your images"
      className="grid grid-cols-[repeat(auto-fill,minmax(9.5rem,1fr))] gap-x-3 gap-y-5 sm:grid-cols-[repeat(auto-fill,minmax(11.5rem,1fr))] sm:gap-x-4"
    >
      {items.map((item) => (
        <GalleryGridItem key={item.id} item={item} dates={dates} selected={isSelected(item.id)} {...handlers} />
      ))}
    </ul>
  );
});

const GalleryGridItem = memo(function GalleryGridItem({
  selected,
  onToggle,
  ...props
}: { item: GalleryItem; dates: DateFormatOptions; selected: boolean } & TileHandlers) {
  return (
    // content-visibility lets the browser skip layout and paint of off-screen tiles,
    // which keeps a grid of thousands of images smooth.
    <li
      data-testid="gallery-item"
      data-selected={selected || undefined}
      className="group/tile relative [contain-intrinsic-size:auto_15rem] [content-visibility:auto]"
    >
      <GalleryTile {...props} onToggle={onToggle} />
      <label
        className={`absolute top-2 left-2 z-[1] flex size-8 cursor-pointer items-center justify-center rounded-md bg-white/90 shadow ring-1 ring-zinc-900/10 transition-opacity dark:bg-zinc-900/90 ${
          selected ? "opacity-100" : "opacity-70 group-hover/tile:opacity-100 focus-within:opacity-100"
        }`}
      >
        <input
          type="checkbox"
          aria-label={`Select ${props.item.name}`}
          checked={selected}
          onChange={() => {}}
          onClick={(event) => onToggle(props.item.id, { shiftKey: event.shiftKey, selected: event.currentTarget.checked })}
          className="size-4 cursor-pointer accent-sky-600"
        />
      </label>
    </li>
  );
});

type ThumbStatus = "loading" | "loaded" | "error";

/**
 * One tile: the thumbnail button and its caption. Extra controls (e.g. a selection
 * checkbox) can be placed next to it inside the `<li>`, absolutely positioned over
 * the thumbnail's top-left corner.
 */
export function GalleryTile({
  item,
  dates,
  onOpen,
  onHoverStart,
  onHoverEnd,
}: { item: GalleryItem; dates: DateFormatOptions } & TileHandlers) {
  const [status, setStatus] = useState<ThumbStatus>("loading");
  const size = fitInside(item, THUMB_SIZE);

  // A server-rendered <img> can finish loading before React attaches onLoad.
  const checkComplete = useCallback((img: HTMLImageElement | null) => {
    if (img?.complete && img.naturalWidth > 0) setStatus("loaded");
  }, []);

  return (
    <div className="flex flex-col gap-1.5">
      <button
        type="button"
        aria-label={`Open ${item.name}`}
        onClick={(event) => onOpen(item.id, event.currentTarget)}
        onPointerEnter={(event) => {
          if (event.pointerType === "mouse") onHoverStart(item, event.currentTarget);
        }}
        onPointerLeave={onHoverEnd}
        onPointerDown={onHoverEnd}
        className="group relative block aspect-square w-full overflow-hidden rounded-xl in-data-selected:ring-4 in-data-selected:ring-sky-500 bg-zinc-200 shadow-sm ring-1 ring-zinc-900/5 transition-shadow hover:shadow-md hover:ring-zinc-900/15 dark:bg-zinc-800 dark:ring-white/10 dark:hover:ring-white/25"
      >
        {status === "loading" ? (
          <span aria-hidden="true" className="absolute inset-0 animate-pulse bg-zinc-200 dark:bg-zinc-800" />
        ) : null}
        {status === "error" ? (
          <span className="absolute inset-0 flex flex-col items-center justify-center gap-2 p-3 text-center text-xs text-zinc-500 dark:text-zinc-400">
            <ImageOffIcon className="size-8" />
            Preview unavailable
          </span>
        ) : (
          // eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes that the server already resized; next/image would proxy and re-encode them.
          <img
            ref={checkComplete}
            src={imageUrl(item.id, "thumb")}
            alt=""
            width={size.width}
            height={size.height}
            loading="lazy"
            decoding="async"
            draggable={false}
            onLoad={() => setStatus("loaded")}
            onError={() => setStatus("error")}
            className={`h-full w-full object-cover transition-[opacity,scale] duration-300 group-hover:scale-[1.03] ${
              status === "loaded" ? "opacity-100" : "opacity-0"
            }`}
          />
        )}
      </button>
      <div className="min-w-0 px-0.5">
        <p className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100" title={item.name}>
          {item.name}
        </p>
        <p className="truncate text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
          {formatBytes(item.size)} ·{" "}
          <time dateTime={item.createdAt}>{formatDate(item.createdAt, dates)}</time>
        </p>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------
// Footer: load more, errors, end of list
// ---------------------------------------------------------------------------

function GalleryFooter({
  count,
  hasMore,
  loading,
  error,
  onLoadMore,
}: {
  count: number;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  onLoadMore: () => void;
}) {
  return (
    <div className="flex min-h-12 flex-col items-center justify-center gap-2 pb-8 text-sm">
      <p role="status" className="sr-only">
        {loading ? "Loading more images…" : ""}
      </p>
      {error ? (
        <div
          role="alert"
          className="flex flex-wrap items-center justify-center gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-300"
        >
          <span>{error}</span>
          <button
            type="button"
            onClick={onLoadMore}
            className="rounded-md bg-white px-3 py-1 font-medium text-red-800 shadow-sm ring-1 ring-red-200 hover:bg-red-100 dark:bg-red-900/40 dark:text-red-200 dark:ring-red-800 dark:hover:bg-red-900/70"
          >
            Try again
          </button>
        </div>
      ) : hasMore ? (
        <button
          type="button"
          onClick={() => {
            if (!loading) onLoadMore();
          }}
          aria-disabled={loading}
          className="inline-flex items-center gap-2 rounded-md border border-zinc-300 bg-white px-4 py-2 font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 aria-disabled:cursor-progress aria-disabled:opacity-70 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
        >
          {loading ? <Spinner className="size-4" /> : null}
          {loading ? "Loading…" : "Load more"}
        </button>
      ) : count > 0 ? (
        <p className="text-zinc-500 dark:text-zinc-400">
          {count === 1 ? "1 image" : `${count.toLocaleString("en-US")} images`}
        </p>
      ) : null}
    </div>
  );
}

function EmptyState() {
  return (
    <div className="mt-10 flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-zinc-300 px-6 py-16 text-center dark:border-zinc-700">
      <span className="flex size-14 items-center justify-center rounded-full bg-sky-100 text-sky-600 dark:bg-sky-950 dark:text-sky-400">
        <PhotoIcon className="size-7" />
      </span>
      <h2 className="text-xl font-semibold">No images yet</h2>
      <p className="max-w-sm text-zinc-600 dark:text-zinc-400">Drop images anywhere on this page, or use Upload images.</p>
    </div>
  );
}

// ---------------------------------------------------------------------------
// Floating hover preview
// ---------------------------------------------------------------------------

const PREVIEW_MAX = 480;
const GAP = 12;
const MARGIN = 8;

function HoverPreview({ store }: { store: HoverStore }) {
  const hover = useSyncExternalStore(store.subscribe, store.get, noHover);

  // The rectangle is a snapshot: hide on scroll or resize rather than drift.
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
  return <HoverCard key={hover.item.id} item={hover.item} rect={hover.rect} />;
}

function HoverCard({ item, rect }: { item: GalleryItem; rect: DOMRect }) {
  const [loaded, setLoaded] = useState(false);
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  const max = Math.min(PREVIEW_MAX, vw - 2 * MARGIN, vh - 2 * MARGIN);
  const { width, height } = fitInside(item, max);

  let left: number;
  if (rect.right + GAP + width <= vw - MARGIN) left = rect.right + GAP;
  else if (rect.left - GAP - width >= MARGIN) left = rect.left - GAP - width;
  else left = Math.min(Math.max(rect.left + rect.width / 2 - width / 2, MARGIN), vw - width - MARGIN);
  const top = Math.min(Math.max(rect.top + rect.height / 2 - height / 2, MARGIN), vh - height - MARGIN);

  return (
    <div
      aria-hidden="true"
      style={{ left, top, width, height }}
      className="pointer-events-none fixed z-30 overflow-hidden rounded-xl bg-zinc-200 shadow-2xl ring-1 ring-zinc-900/10 transition duration-150 starting:scale-95 starting:opacity-0 dark:bg-zinc-800 dark:ring-white/15"
    >
      {/* The thumbnail is cached already; it stands in until the preview arrives. */}
      {/* eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes that the server already resized. */}
      <img src={imageUrl(item.id, "thumb")} alt="" width={width} height={height} className="absolute inset-0 h-full w-full object-cover" />
      {/* eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes that the server already resized. */}
      <img
        src={imageUrl(item.id, "preview")}
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

// ---------------------------------------------------------------------------
// Icons
// ---------------------------------------------------------------------------

function PhotoIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} className={className}>
      <path
        strokeLinecap="round"
        strokeLinejoin="round"
        d="m2.25 15.75 5.16-5.16a2.25 2.25 0 0 1 3.18 0l5.16 5.16m-1.5-1.5 1.41-1.41a2.25 2.25 0 0 1 3.18 0l2.91 2.91M3.75 21h16.5A1.5 1.5 0 0 0 21.75 19.5v-15A1.5 1.5 0 0 0 20.25 3H3.75A1.5 1.5 0 0 0 2.25 4.5v15A1.5 1.5 0 0 0 3.75 21Zm10.5-11.25h.008v.008h-.008V9.75Zm.375 0a.375.375 0 1 1-.75 0 .375.375 0 0 1 .75 0Z"
      />
    </svg>
  );
}

