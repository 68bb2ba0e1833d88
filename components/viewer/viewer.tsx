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
import { networkErrorMessage, readApiError } from "@/components/gallery/use-image-list";
import { ChevronIcon, CloseIcon, DownloadIcon, ImageOffIcon, PinIcon, Spinner, TrashIcon } from "@/components/icons";
import { Characteristics } from "@/components/viewer/characteristics";
import { imageUrl, type GalleryItem, type ImageDetails } from "@/lib/gallery-types";

export type ViewerProps = {
  /** The image shown. */
  item: GalleryItem;
  /** "3 of 40+", or null when the viewer has no list (a photo's own page). */
  counter: string | null;
  previousId: string | null;
  nextId: string | null;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  nextBusy?: boolean;
  loadMoreError?: string | null;
  /** Close (Escape, the Close button, a click beside the image). */
  onClose: () => void;
  /** Asks to move the image to the trash (the timeline confirms first). */
  onDelete?: (item: GalleryItem) => void;
  /** Details the server already read (a photo's own page). */
  initialDetails?: ImageDetails;
  /** An overlay (a native modal <dialog>), or the page's main content. */
  mode: "modal" | "page";
};

const PREVIEW_SIZE = 1600;
const DETAILS_DELAY_MS = 120;
const SWIPE_PX = 50;
const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

type DetailsEntry = { status: "ready"; data: ImageDetails } | { status: "error"; message: string };

/**
 * The photo viewer: the preview image, Previous/Next (arrow keys, swipe), a
 * details panel and a download link. As an overlay it is a native modal
 * <dialog> (focus trapped, Escape closes); as a page, the main content.
 */
export function Viewer({
  item,
  counter,
  previousId,
  nextId,
  onPrevious,
  onNext,
  nextBusy = false,
  loadMoreError = null,
  onClose,
  onDelete,
  initialDetails,
  mode,
}: ViewerProps) {
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
  const close = () => (dialog.current ? dialog.current.close() : onClose());

  const onKeyDown = (event: React.KeyboardEvent | KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowLeft" && onPrevious) {
      event.preventDefault();
      onPrevious();
    } else if (event.key === "ArrowRight" && onNext) {
      event.preventDefault();
      onNext();
    } else if (event.key === "Escape" && mode === "page") {
      event.preventDefault();
      onClose();
    }
  };

  // As a page nothing holds focus after load, so the arrows are heard from the whole document.
  const pageKey = useEffectEvent((event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (target?.closest("input, textarea, select, [contenteditable=true], main")) return;
    onKeyDown(event);
  });
  useEffect(() => {
    if (mode !== "page") return;
    const listener = (event: KeyboardEvent) => pageKey(event);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, [mode]);

  // Swipe left/right on the image moves between photos.
  const swipe = useRef<{ x: number; y: number; id: number } | null>(null);
  const onPointerDown = (event: React.PointerEvent) => {
    if (event.pointerType === "mouse") return;
    swipe.current = { x: event.clientX, y: event.clientY, id: event.pointerId };
  };
  const onPointerUp = (event: React.PointerEvent) => {
    const start = swipe.current;
    swipe.current = null;
    if (!start || start.id !== event.pointerId) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < Math.abs(dy) * 1.5) return;
    if (dx < 0) onNext?.();
    else onPrevious?.();
  };

  // Preview loading state, per image.
  const [loadedId, setLoadedId] = useState<string | null>(null);
  const [failedId, setFailedId] = useState<string | null>(null);
  const loaded = loadedId === item.id;
  const failed = failedId === item.id;

  // Warm the cache for the neighbours so Previous/Next (and swipes) feel instant.
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
  const [details, setDetails] = useState<Record<string, DetailsEntry>>(() =>
    initialDetails ? { [initialDetails.id]: { status: "ready", data: initialDetails } } : {},
  );
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
  const Title = mode === "page" ? "h1" : "h2";

  const body = (
    <div className="flex h-full flex-col lg:flex-row">
      <div className="flex min-h-0 min-w-0 flex-1 flex-col">
        <header className="flex items-center gap-2 px-3 py-2 sm:gap-3 sm:px-4 sm:py-3">
          <div className="min-w-0 flex-1">
            <Title id={titleId} className="truncate text-base font-semibold text-white" title={item.name}>
              {item.name}
            </Title>
            {counter ? <p className="text-xs text-zinc-300 tabular-nums">{counter}</p> : null}
          </div>
          <a
            href={imageUrl(item.id, "original", { download: true })}
            download={item.name}
            aria-label="Download original"
            className="inline-flex shrink-0 items-center gap-2 rounded-md bg-sky-700 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-sky-600"
          >
            <DownloadIcon className="size-4" />
            <span className="max-sm:hidden">Download original</span>
          </a>
          {onDelete ? (
            <button
              type="button"
              onClick={() => onDelete(item)}
              aria-label="Delete"
              className="inline-flex shrink-0 items-center gap-2 rounded-md bg-red-700 px-3 py-2 text-sm font-medium text-white hover:bg-red-600"
            >
              <TrashIcon className="size-4" />
              <span className="max-sm:hidden">Delete</span>
            </button>
          ) : null}
          <button
            ref={closeButton}
            type="button"
            onClick={close}
            aria-label="Close"
            className="inline-flex shrink-0 items-center gap-2 rounded-md bg-white/10 px-3 py-2 text-sm font-medium text-white hover:bg-white/20"
          >
            <CloseIcon className="size-4" />
            <span className="max-sm:hidden">Close</span>
          </button>
        </header>

        <div className="relative min-h-0 flex-1 touch-pan-y" onPointerDown={onPointerDown} onPointerUp={onPointerUp} onPointerCancel={() => (swipe.current = null)}>
          <div
            className="absolute inset-0 flex items-center justify-center px-2 pb-4 sm:px-16"
            onClick={(event) => {
              if (event.target === event.currentTarget) close();
            }}
          >
            {!loaded && !failed ? (
              <div role="status" className="pointer-events-none absolute inset-0 flex items-center justify-center text-zinc-300">
                <Spinner className="size-10" />
                <span className="sr-only">Loading image…</span>
              </div>
            ) : null}
            {failed ? (
              <div className="flex flex-col items-center gap-2 text-sm text-zinc-300">
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
                className={`h-auto max-h-full w-auto max-w-full rounded-sm object-contain shadow-2xl transition-opacity duration-200 select-none ${
                  loaded ? "opacity-100" : "opacity-0"
                }`}
              />
            )}
          </div>

          {onPrevious || onNext ? (
            <>
              <NavButton label="Previous image" side="left" disabled={!onPrevious} onClick={() => onPrevious?.()}>
                <ChevronIcon direction="left" className="size-6" />
              </NavButton>
              <NavButton label="Next image" side="right" disabled={!onNext || nextBusy} busy={nextBusy} onClick={() => onNext?.()}>
                {nextBusy ? <Spinner className="size-6" /> : <ChevronIcon direction="right" className="size-6" />}
              </NavButton>
            </>
          ) : null}
          {loadMoreError ? (
            <p role="alert" className="absolute right-3 bottom-3 max-w-xs rounded-md bg-red-950/90 px-3 py-2 text-xs text-red-200 shadow">
              {loadMoreError}
            </p>
          ) : null}
        </div>
      </div>

      <aside
        aria-labelledby={detailsTitleId}
        className="max-h-[40dvh] shrink-0 overflow-y-auto border-t border-zinc-200 bg-white p-4 text-zinc-900 lg:max-h-none lg:w-80 lg:border-t-0 lg:border-l dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <h3 id={detailsTitleId} className="mb-3 text-sm font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
          Details
        </h3>
        <DetailsPanel item={item} entry={entry} onRetry={retryDetails} />
      </aside>
    </div>
  );

  if (mode === "page") {
    return (
      <main aria-labelledby={titleId} onKeyDown={onKeyDown} className="fixed inset-0 z-30 overflow-hidden bg-zinc-950 text-zinc-100">
        {body}
      </main>
    );
  }
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
      {body}
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

      {data ? <Characteristics value={data.characteristics ?? null} /> : null}

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

