"use client";

import { useEffect, useEffectEvent, useId, useRef, useState } from "react";

import {
  formatBytes,
  formatDate,
  formatDimensions,
  formatExposure,
  formatTakenAt,
  fitInside,
} from "@/components/format";
import { networkErrorMessage, readApiError } from "@/components/use-gallery";
import { imageUrl, type GalleryItem, type ImageDetails } from "@/lib/gallery-types";

export type ImageViewerProps = {
  /** The gallery's loaded list, newest first. */
  items: GalleryItem[];
  /** Index into `items` of the image shown. */
  index: number;
  /** Show another image (Previous/Next, arrow keys). */
  onIndexChange: (index: number) => void;
  /** The dialog closed (Close, Escape, backdrop click); unmount the viewer. */
  onClose: () => void;
  /** The gallery has more pages; "Next" on the last loaded image asks for one. */
  hasMore?: boolean;
  loadingMore?: boolean;
  loadMoreError?: string | null;
  onLoadMore?: () => void | Promise<void>;
  /** Asks to move the shown image to the trash (the gallery confirms first). */
  onDelete?: (item: GalleryItem) => void;
};

const PREVIEW_SIZE = 1600;
const DETAILS_DELAY_MS = 120;
const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

type DetailsEntry = { status: "ready"; data: ImageDetails } | { status: "error"; message: string };

/**
 * A modal lightbox over the gallery: the preview image, Previous/Next, a details
 * panel and a download link. Uses the native <dialog> (showModal) for focus
 * trapping and Escape; the gallery puts focus back on the opening tile in onClose.
 */
export function ImageViewer(props: ImageViewerProps) {
  const item = props.items[props.index];
  if (!item) return null;
  return <ViewerDialog {...props} item={item} />;
}

function ViewerDialog({
  items,
  index,
  item,
  onIndexChange,
  onClose,
  hasMore = false,
  loadingMore = false,
  loadMoreError = null,
  onLoadMore,
  onDelete,
}: ImageViewerProps & { item: GalleryItem }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const detailsTitleId = useId();

  // Open once on mount; closing (Escape, Close, backdrop) goes through the "close" event.
  const fireClose = useEffectEvent(() => onClose());
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const handleClose = () => fireClose();
    element.addEventListener("close", handleClose);
    if (!element.open) element.showModal();
    closeButton.current?.focus();
    // The page behind must not scroll under the wheel or touch.
    const root = document.documentElement;
    const previousOverflow = root.style.overflow;
    root.style.overflow = "hidden";
    return () => {
      element.removeEventListener("close", handleClose);
      if (element.open) element.close();
      root.style.overflow = previousOverflow;
    };
  }, []);
  const close = () => dialog.current?.close();

  // Navigation
  const isFirst = index <= 0;
  const isLast = index >= items.length - 1;
  const pendingNext = useRef<string | null>(null);
  const goPrevious = () => {
    if (!isFirst) onIndexChange(index - 1);
  };
  const goNext = () => {
    if (!isLast) onIndexChange(index + 1);
    else if (hasMore && !loadingMore) {
      pendingNext.current = item.id;
      void onLoadMore?.();
    }
  };
  // After "Next" asked for another page, move on once it has arrived.
  const advance = useEffectEvent((to: number) => onIndexChange(to));
  useEffect(() => {
    const wanted = pendingNext.current;
    if (wanted === null) return;
    if (wanted !== item.id) pendingNext.current = null;
    else if (index < items.length - 1) {
      pendingNext.current = null;
      advance(index + 1);
    } else if (!hasMore) pendingNext.current = null;
  }, [item.id, index, items.length, hasMore]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowLeft") {
      event.preventDefault();
      goPrevious();
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      goNext();
    }
  };

  // Preview loading state, per image.
  const [loadedId, setLoadedId] = useState<string | null>(null);
  const [failedId, setFailedId] = useState<string | null>(null);
  const loaded = loadedId === item.id;
  const failed = failedId === item.id;

  // Warm the cache for the neighbours so Previous/Next feel instant.
  const previousId = items[index - 1]?.id;
  const nextId = items[index + 1]?.id;
  useEffect(() => {
    const timer = setTimeout(() => {
      for (const id of [nextId, previousId]) {
        if (!id) continue;
        const img = new Image();
        img.decoding = "async";
        img.src = imageUrl(id, "preview");
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [previousId, nextId]);

  // Details, fetched per image (after a short pause, so holding an arrow key does not flood the server).
  const [details, setDetails] = useState<Record<string, DetailsEntry>>({});
  const id = item.id;
  const entry = details[id];
  const missing = entry === undefined;
  useEffect(() => {
    if (!missing) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      let next: DetailsEntry;
      try {
        const res = await fetch(`/api/images/${encodeURIComponent(id)}`, {
          signal: controller.signal,
          cache: "no-store",
          headers: { accept: "application/json" },
        });
        if (!res.ok) throw new Error(await readApiError(res));
        next = { status: "ready", data: (await res.json()) as ImageDetails };
      } catch (err) {
        if (controller.signal.aborted) return;
        next = { status: "error", message: networkErrorMessage(err) };
      }
      if (!controller.signal.aborted) setDetails((prev) => ({ ...prev, [id]: next }));
    }, DETAILS_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [id, missing]);
  const retryDetails = () =>
    setDetails((prev) => {
      const rest = { ...prev };
      delete rest[id];
      return rest;
    });

  const preview = fitInside(item, PREVIEW_SIZE);
  const counter = `${(index + 1).toLocaleString("en-US")} of ${items.length.toLocaleString("en-US")}${hasMore ? "+" : ""}`;
  const nextBusy = isLast && hasMore && loadingMore;
  const nextDisabled = isLast && (!hasMore || loadingMore);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
      onClick={(event) => {
        if (event.target === event.currentTarget) close();
      }}
      className="fixed inset-0 m-0 h-full max-h-none w-full max-w-none overflow-hidden border-0 bg-zinc-950 p-0 text-zinc-100 transition-opacity duration-150 backdrop:bg-black/60 starting:opacity-0"
    >
      <div className="flex h-full flex-col lg:flex-row">
        <div className="flex min-h-0 min-w-0 flex-1 flex-col">
          <header className="flex items-center gap-2 px-3 py-2 sm:gap-3 sm:px-4 sm:py-3">
            <div className="min-w-0 flex-1">
              <h2 id={titleId} className="truncate text-base font-semibold text-white" title={item.name}>
                {item.name}
              </h2>
              <p className="text-xs text-zinc-400 tabular-nums">{counter}</p>
            </div>
            <a
              href={imageUrl(item.id, "original", { download: true })}
              download={item.name}
              className="inline-flex shrink-0 items-center gap-2 rounded-md bg-sky-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-sky-500"
            >
              <DownloadIcon className="size-4" />
              <span className="sr-only sm:not-sr-only">Download original</span>
            </a>
            {onDelete ? (
              <button
                type="button"
                onClick={() => onDelete(item)}
                className="inline-flex shrink-0 items-center gap-2 rounded-md bg-red-600/90 px-3 py-2 text-sm font-medium text-white hover:bg-red-500"
              >
                Delete
              </button>
            ) : null}
            <button
              ref={closeButton}
              type="button"
              onClick={close}
              className="inline-flex shrink-0 items-center gap-2 rounded-md bg-white/10 px-3 py-2 text-sm font-medium text-white hover:bg-white/20"
            >
              <CloseIcon className="size-4" />
              <span className="sr-only sm:not-sr-only">Close</span>
            </button>
          </header>

          <div className="relative min-h-0 flex-1">
            <div
              className="absolute inset-0 flex items-center justify-center px-14 pb-4 sm:px-16"
              onClick={(event) => {
                if (event.target === event.currentTarget) close();
              }}
            >
              {!loaded && !failed ? (
                <div role="status" className="absolute inset-0 flex items-center justify-center text-zinc-300">
                  <Spinner className="size-10" />
                  <span className="sr-only">Loading image…</span>
                </div>
              ) : null}
              {failed ? (
                <div className="flex flex-col items-center gap-2 text-sm text-zinc-400">
                  <ImageOffIcon className="size-10" />
                  Preview unavailable
                </div>
              ) : (
                // eslint-disable-next-line @next/next/no-img-element -- private, per-user bytes that the server already resized; next/image would proxy and re-encode them.
                <img
                  key={item.id}
                  src={imageUrl(item.id, "preview")}
                  alt={item.name}
                  width={preview.width}
                  height={preview.height}
                  decoding="async"
                  draggable={false}
                  onLoad={() => setLoadedId(item.id)}
                  onError={() => setFailedId(item.id)}
                  className={`h-auto max-h-full w-auto max-w-full rounded-sm object-contain shadow-2xl transition-opacity duration-200 ${
                    loaded ? "opacity-100" : "opacity-0"
                  }`}
                />
              )}
            </div>

            <NavButton label="Previous image" side="left" disabled={isFirst} onClick={goPrevious}>
              <ChevronIcon direction="left" className="size-6" />
            </NavButton>
            <NavButton label="Next image" side="right" disabled={nextDisabled} busy={nextBusy} onClick={goNext}>
              {nextBusy ? <Spinner className="size-6" /> : <ChevronIcon direction="right" className="size-6" />}
            </NavButton>
            {isLast && loadMoreError ? (
              <p
                role="alert"
                className="absolute right-3 bottom-3 max-w-xs rounded-md bg-red-950/90 px-3 py-2 text-xs text-red-200 shadow"
              >
                {loadMoreError}
              </p>
            ) : null}
          </div>
        </div>

        <aside
          aria-labelledby={detailsTitleId}
          className="max-h-[40dvh] shrink-0 overflow-y-auto border-t border-zinc-200 bg-white p-4 text-zinc-900 lg:max-h-none lg:w-80 lg:border-t-0 lg:border-l dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
        >
          <h3 id={detailsTitleId} className="mb-3 text-sm font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
            Details
          </h3>
          <DetailsPanel item={item} entry={entry} onRetry={retryDetails} />
        </aside>
      </div>
    </dialog>
  );
}

function NavButton({
  label,
  side,
  disabled,
  busy = false,
  onClick,
  children,
}: {
  label: string;
  side: "left" | "right";
  disabled: boolean;
  busy?: boolean;
  onClick: () => void;
  children: React.ReactNode;
}) {
  // aria-disabled rather than disabled: a disabled button drops focus, which would
  // leave the arrow keys with nowhere to go.
  return (
    <button
      type="button"
      aria-label={label}
      aria-disabled={disabled}
      aria-busy={busy || undefined}
      onClick={() => {
        if (!disabled) onClick();
      }}
      className={`absolute top-1/2 flex size-11 -translate-y-1/2 items-center justify-center rounded-full bg-black/40 text-white ring-1 ring-white/15 backdrop-blur transition hover:bg-black/60 aria-disabled:cursor-default aria-disabled:opacity-30 aria-disabled:hover:bg-black/40 ${
        side === "left" ? "left-2 sm:left-3" : "right-2 sm:right-3"
      }`}
    >
      {children}
    </button>
  );
}

function DetailsPanel({
  item,
  entry,
  onRetry,
}: {
  item: GalleryItem;
  entry: DetailsEntry | undefined;
  onRetry: () => void;
}) {
  const data = entry?.status === "ready" ? entry.data : null;
  const base = data ?? item;
  const exposure = data ? formatExposure(data.exposure) : null;
  const palette = data ? data.palette.filter((colour) => COLOUR.test(colour)) : [];

  return (
    <div className="flex flex-col gap-4 text-sm">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
        <Row term="Dimensions">{formatDimensions(base.width, base.height)}</Row>
        <Row term="Type">{base.mime || "—"}</Row>
        <Row term="Size">
          <span title={`${base.size.toLocaleString("en-US")} bytes`}>{formatBytes(base.size)}</span>
        </Row>
        <Row term="Uploaded">
          <time dateTime={base.createdAt}>{formatDate(base.createdAt, { withTime: true })}</time>
        </Row>
        {data?.takenAt ? (
          <Row term="Taken">
            <time dateTime={data.takenAt}>{formatTakenAt(data.takenAt)}</time>
          </Row>
        ) : null}
        {data?.camera ? <Row term="Camera">{data.camera}</Row> : null}
        {data?.lens ? <Row term="Lens">{data.lens}</Row> : null}
        {exposure ? <Row term="Exposure">{exposure}</Row> : null}
      </dl>

      {palette.length > 0 ? (
        <div>
          <p className="mb-1.5 text-zinc-500 dark:text-zinc-400">Palette</p>
          <ul aria-label="Colour palette" className="flex flex-wrap gap-1.5">
            {palette.map((colour, i) => (
              <li key={`${colour}-${i}`}>
                <span
                  title={colour}
                  style={{ backgroundColor: colour }}
                  className="block size-7 rounded-md shadow-inner ring-1 ring-black/10 dark:ring-white/15"
                />
                <span className="sr-only">{colour}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {data?.hasLocation ? (
        <p className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-950/50 dark:text-amber-200">
          <PinIcon className="mt-0.5 size-4 shrink-0" />
          Location stored (never shared publicly)
        </p>
      ) : null}

      {entry === undefined ? (
        <p role="status" className="flex items-center gap-2 text-zinc-500 dark:text-zinc-400">
          <Spinner className="size-4" />
          Loading details…
        </p>
      ) : null}
      {entry?.status === "error" ? (
        <div role="alert" className="flex flex-col items-start gap-2 text-red-700 dark:text-red-400">
          <p>Couldn&apos;t load the details. {entry.message}</p>
          <button
            type="button"
            onClick={onRetry}
            className="rounded-md border border-zinc-300 bg-white px-3 py-1 font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-700"
          >
            Try again
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Row({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{term}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}

// ---------------------------------------------------------------------------
// Icons
// ---------------------------------------------------------------------------

export function Spinner({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" className={`animate-spin ${className ?? ""}`}>
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity={0.25} strokeWidth={3} />
      <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth={3} strokeLinecap="round" />
    </svg>
  );
}

function ChevronIcon({ direction, className }: { direction: "left" | "right"; className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d={direction === "left" ? "M15 18l-6-6 6-6" : "M9 18l6-6-6-6"} />
    </svg>
  );
}

function CloseIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M6 6l12 12M18 6L6 18" />
    </svg>
  );
}

function DownloadIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M12 4v11m0 0l-4-4m4 4l4-4M5 19h14" />
    </svg>
  );
}

function PinIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M12 21s-7-6.1-7-11.5A7 7 0 0 1 19 9.5C19 14.9 12 21 12 21Z" />
      <circle cx="12" cy="9.5" r="2.5" />
    </svg>
  );
}

export function ImageOffIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M3 3l18 18" />
      <path
        strokeLinecap="round"
        strokeLinejoin="round"
        d="M9.75 4.5h9.75A1.5 1.5 0 0 1 21 6v9.75M18 19.5H4.5A1.5 1.5 0 0 1 3 18V6c0-.4.16-.78.42-1.06M3 16.5l4.5-4.5 3 3m3.3-1.2L15 12l3 3"
      />
    </svg>
  );
}
