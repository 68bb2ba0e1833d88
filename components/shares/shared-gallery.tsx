"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { readApiError } from "@/components/api-error";
import { ChevronIcon, CloseIcon, DownloadIcon } from "@/components/icons";
import { plural } from "@/components/format";
import { LoadMore } from "@/components/gallery/load-more";
import { PhotoGrid } from "@/components/gallery/photo-grid";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { type Page, usePagedList } from "@/components/gallery/use-paged-list";
import { useModalDialog } from "@/components/use-modal-dialog";
import type { GalleryItem } from "@/lib/gallery-types";
import { type SharedItem, type SharedPage, sharedUrl } from "@/lib/share-types";

// The grid takes gallery items; a visitor's carry only what a share shows.
const asGalleryItem = (item: SharedItem): GalleryItem => ({
  id: item.id,
  name: item.name,
  size: 0,
  mime: item.mime,
  width: item.width,
  height: item.height,
  createdAt: "",
  takenAt: null,
  trashedAt: null,
});

const none = () => false;
const noop = () => {};

/** A visitor's view of a share link: the grid, a viewer, and downloads when the owner allowed them. */
export function SharedGallery({ token, initial, allowDownload }: { token: string; initial: SharedPage; allowDownload: boolean }) {
  const fetchPage = useCallback(
    async (offset: number): Promise<Page<SharedItem, number>> => {
      const res = await fetch(`/s/${encodeURIComponent(token)}/items?offset=${offset}`, { cache: "no-store" });
      if (!res.ok) throw new Error(await readApiError(res));
      const page = (await res.json()) as SharedPage;
      return { items: page.items, next: page.nextOffset, total: page.total };
    },
    [token],
  );
  const { items, loading, error, loadMore, hasMore } = usePagedList({ initial: { items: initial.items, next: initial.nextOffset, total: initial.total }, fetchPage });
  const [open, setOpen] = useState<number | null>(null);

  const sections = useMemo<MonthSection[]>(() => [{ month: "shared", items: items.map(asGalleryItem), complete: !hasMore, count: items.length }], [items, hasMore]);
  const src = useCallback((item: GalleryItem, variant: "thumb" | "preview" | "original") => sharedUrl(token, item.id, variant), [token]);

  if (initial.total === 0 && items.length === 0) {
    return <p className="mt-10 text-center text-zinc-600 dark:text-zinc-400">There are no photos here any more.</p>;
  }

  return (
    <section aria-label="Shared photos" className="mt-4 flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <p className="text-sm text-zinc-700 dark:text-zinc-300">{plural(initial.total, "photo")}</p>
        {allowDownload ? (
          <a
            href={`/s/${encodeURIComponent(token)}/zip`}
            download
            className="inline-flex items-center gap-1.5 rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800"
          >
            <DownloadIcon className="size-4" />
            Download all
          </a>
        ) : null}
      </div>
      <PhotoGrid
        sections={sections}
        grouped={false}
        label="Shared photos"
        isSelected={none}
        selectionMode={false}
        hrefFor={null}
        src={src}
        onOpen={(item) => setOpen(items.findIndex((i) => i.id === item.id))}
        onToggle={noop}
        onExtend={noop}
        onNeedMonth={() => void loadMore()}
      />
      <LoadMore hasMore={hasMore} loading={loading} error={error} onLoadMore={() => void loadMore()} />
      {open !== null && items[open] ? (
        <SharedViewer
          token={token}
          item={items[open]}
          counter={`${open + 1} of ${initial.total}`}
          allowDownload={allowDownload}
          onPrevious={open > 0 ? () => setOpen(open - 1) : null}
          onNext={open + 1 < items.length ? () => setOpen(open + 1) : null}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </section>
  );
}

function SharedViewer({
  token,
  item,
  counter,
  allowDownload,
  onPrevious,
  onNext,
  onClose,
}: {
  token: string;
  item: SharedItem;
  counter: string;
  allowDownload: boolean;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onClose: () => void;
}) {
  const ref = useModalDialog(onClose);
  const keys = useRef({ onPrevious, onNext });
  useEffect(() => {
    keys.current = { onPrevious, onNext };
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "ArrowLeft") keys.current.onPrevious?.();
      if (e.key === "ArrowRight") keys.current.onNext?.();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const button = "rounded-full bg-black/60 p-2 text-white hover:bg-black/80 disabled:opacity-30";
  return (
    <dialog ref={ref} aria-label={item.name} className="m-0 h-dvh max-h-none w-screen max-w-none bg-black/95 p-0 text-white backdrop:bg-black">
      <div className="flex h-full flex-col">
        <div className="flex items-center gap-2 p-3">
          <p className="mr-auto truncate text-sm">
            {item.name} <span className="text-zinc-400">· {counter}</span>
          </p>
          {allowDownload ? (
            <a href={sharedUrl(token, item.id, "original", { download: true })} download className="inline-flex items-center gap-1.5 rounded-md bg-white/10 px-3 py-1.5 text-sm hover:bg-white/20">
              <DownloadIcon className="size-4" />
              Download
            </a>
          ) : null}
          <button type="button" onClick={() => ref.current?.close()} className={button} aria-label="Close">
            <CloseIcon className="size-5" />
          </button>
        </div>
        <div className="relative flex min-h-0 flex-1 items-center justify-center">
          {/* eslint-disable-next-line @next/next/no-img-element -- shared bytes are private and never cached (no next/image) */}
          <img src={sharedUrl(token, item.id, "preview")} alt={item.name} className="max-h-full max-w-full object-contain" />
          <button type="button" onClick={() => onPrevious?.()} disabled={!onPrevious} className={`${button} absolute left-3`} aria-label="Previous photo">
            <ChevronIcon direction="left" className="size-6" />
          </button>
          <button type="button" onClick={() => onNext?.()} disabled={!onNext} className={`${button} absolute right-3`} aria-label="Next photo">
            <ChevronIcon direction="right" className="size-6" />
          </button>
        </div>
      </div>
    </dialog>
  );
}
