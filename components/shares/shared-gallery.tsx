"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { ChevronIcon, CloseIcon, DownloadIcon } from "@/components/icons";
import { plural } from "@/components/format";
import { PhotoGrid } from "@/components/gallery/photo-grid";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { networkErrorMessage, readApiError } from "@/components/api-error";
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
  const [items, setItems] = useState(initial.items);
  const [next, setNext] = useState(initial.nextOffset);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  const loadMore = useCallback(async () => {
    if (next === null || loading) return;
    setLoading(true);
    setError(null);
    try {
      const res = await fetch(`/s/${encodeURIComponent(token)}/items?offset=${next}`, { cache: "no-store" });
      if (!res.ok) throw new Error(await readApiError(res));
      const page = (await res.json()) as SharedPage;
      setItems((prev) => [...prev, ...page.items]);
      setNext(page.nextOffset);
    } catch (err) {
      setError(networkErrorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [next, loading, token]);

  const sections = useMemo<MonthSection[]>(() => [{ month: "shared", items: items.map(asGalleryItem), complete: next === null, count: items.length }], [items, next]);
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
      {next !== null ? (
        <button
          type="button"
          onClick={() => void loadMore()}
          disabled={loading}
          className="self-center rounded-md border border-zinc-300 bg-white px-4 py-2 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
        >
          {loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="self-center text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
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
