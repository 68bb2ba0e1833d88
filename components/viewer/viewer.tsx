"use client";

import { useId, useState } from "react";

import { fitInside } from "@/components/format";
import { ChevronIcon, CloseIcon, DownloadIcon, ImageOffIcon, Spinner, TrashIcon } from "@/components/icons";
import { DetailsPanel } from "@/components/viewer/details-panel";
import { NavButton } from "@/components/viewer/nav-button";
import { useImageDetails } from "@/components/viewer/use-image-details";
import { usePreloadNeighbours } from "@/components/viewer/use-preload-neighbours";
import { useSwipe } from "@/components/viewer/use-swipe";
import { useViewerDialog } from "@/components/viewer/use-viewer-dialog";
import { useViewerKeys } from "@/components/viewer/use-viewer-keys";
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
  const titleId = useId();
  const detailsTitleId = useId();
  const { dialog, closeButton, close } = useViewerDialog(onClose);
  const onKeyDown = useViewerKeys({ mode, onPrevious, onNext, onClose });
  const swipe = useSwipe({ onPrevious, onNext });

  // Preview loading state, per image.
  const [loadedId, setLoadedId] = useState<string | null>(null);
  const [failedId, setFailedId] = useState<string | null>(null);
  const loaded = loadedId === item.id;
  const failed = failedId === item.id;

  usePreloadNeighbours(previousId, nextId);
  const { entry, retry: retryDetails } = useImageDetails(item.id, initialDetails);

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

        <div className="relative min-h-0 flex-1 touch-pan-y" {...swipe}>
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
