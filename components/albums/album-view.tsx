"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useRef, useState } from "react";
import { toast } from "sonner";

import { createZipDownloadAction, trashImagesAction } from "@/app/(gallery)/actions";
import { deleteAlbumAction, removeFromAlbumAction } from "@/app/(gallery)/albums/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { DownloadIcon } from "@/components/icons";
import { type ViewerSource, usePublishViewerSource } from "@/components/gallery/gallery-context";
import { PhotoGrid, type PhotoGridHandle } from "@/components/gallery/photo-grid";
import { SelectionBar } from "@/components/gallery/selection-bar";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { networkErrorMessage, readApiError } from "@/components/api-error";
import { type Selection, useSelection } from "@/components/gallery/use-selection";
import { useSelectionKeys } from "@/components/gallery/use-selection-keys";
import { errorMessage, runAction } from "@/components/run-action";
import { RenameAlbumDialog } from "@/components/albums/rename-album-dialog";
import { RemoveIcon, ShareIcon } from "@/components/share-icons";
import { ShareDialog } from "@/components/shares/share-dialog";
import { type GalleryItem, type GalleryPage, imageUrl } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

const src = (item: GalleryItem, variant: "thumb" | "preview" | "original") => imageUrl(item.id, variant);
const hrefFor = (item: GalleryItem) => `/photo/${item.id}`;

type Pending = { kind: "rename" } | { kind: "delete-album" } | { kind: "trash"; item: GalleryItem } | { kind: "share"; scope: "album" | "selection" };

/**
 * One album: the same grid, viewer (the @modal photo route walks this list),
 * selection and download as the timeline; "Remove from album" takes images
 * out of the album and never deletes them.
 */
export function AlbumView({ albumId, title, description, initial }: { albumId: string; title: string; description: string; initial: GalleryPage }) {
  const router = useRouter();
  const [items, setItems] = useState(initial.items);
  const [total, setTotal] = useState(initial.total);
  const [cursor, setCursor] = useState(initial.nextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const selection = useSelection({ items, total });
  const grid = useRef<PhotoGridHandle>(null);

  const fetchPage = useCallback(
    async (after: string): Promise<GalleryPage> => {
      const res = await fetch(`/api/albums/${albumId}/images?cursor=${encodeURIComponent(after)}`, { cache: "no-store" });
      if (!res.ok) throw new Error(await readApiError(res));
      return (await res.json()) as GalleryPage;
    },
    [albumId],
  );

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(cursor);
      setItems((prev) => [...prev, ...page.items.filter((i) => !prev.some((p) => p.id === i.id))]);
      setCursor(page.nextCursor);
      setTotal(page.total);
    } catch (err) {
      setError(networkErrorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [cursor, loading, fetchPage]);

  /** The selection as explicit ids of this album: "Select all" loads the remaining pages first. */
  const explicitIds = async (chosen: Selection): Promise<string[]> => {
    if ("ids" in chosen) return chosen.ids;
    let all = items;
    let next = cursor;
    while (next) {
      const page = await fetchPage(next);
      all = [...all, ...page.items];
      next = page.nextCursor;
    }
    const except = new Set(chosen.except ?? []);
    return all.map((i) => i.id).filter((id) => !except.has(id));
  };

  const sections = useMemo<MonthSection[]>(() => [{ month: "album", items, complete: !cursor, count: items.length }], [items, cursor]);

  const drop = (ids: string[]) => {
    const gone = new Set(ids);
    setItems((prev) => prev.filter((i) => !gone.has(i.id)));
    setTotal((t) => Math.max(0, t - ids.length));
  };

  const removeSelected = async () => {
    const chosen = selection.selection;
    setBusy(true);
    const result = await runAction(removeFromAlbumAction, { albumId, selection: packSelection(chosen) });
    setBusy(false);
    if (result.status !== "success") {
      setMessage(errorMessage(result));
      return;
    }
    if ("ids" in chosen) drop(chosen.ids);
    else {
      const kept = new Set(chosen.except ?? []);
      setItems((prev) => prev.filter((i) => kept.has(i.id)));
      setTotal(kept.size);
      setCursor(null);
    }
    selection.clear();
    const text = `Removed ${plural(result.data?.removed ?? 0, "image")} from the album.`;
    setMessage(text);
    toast.success(text);
  };

  const download = async () => {
    const chosen = selection.selection;
    setBusy(true);
    try {
      const ids = await explicitIds(chosen);
      if (ids.length === 1) {
        window.location.assign(imageUrl(ids[0], "original", { download: true }));
        setMessage("Your download has started.");
        return;
      }
      setMessage(`Preparing a zip of ${plural(ids.length, "image")}…`);
      const result = await runAction(createZipDownloadAction, { selection: packSelection({ ids }) });
      if (result.status === "success" && result.data) {
        window.location.assign(result.data.url);
        setMessage(`Your zip of ${plural(result.data.count, "image")} is downloading.`);
      } else setMessage(errorMessage(result));
    } catch (err) {
      setMessage(networkErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const [shareIds, setShareIds] = useState<string[] | null>(null);
  const shareSelected = async () => {
    try {
      setShareIds(await explicitIds(selection.selection));
      setPending({ kind: "share", scope: "selection" });
    } catch (err) {
      setMessage(networkErrorMessage(err));
    }
  };

  useSelectionKeys({ enabled: items.length > 0, count: selection.count, onSelectAll: selection.selectAll, onClear: selection.clear, onDelete: () => void removeSelected() });

  const open = useCallback((item: GalleryItem) => router.push(hrefFor(item), { scroll: false }), [router]);

  const viewerSource = useMemo<ViewerSource>(
    () => ({
      items,
      hasMore: Boolean(cursor),
      loading,
      error,
      loadMore: () => void loadMore(),
      requestDelete: (item) => setPending({ kind: "trash", item }),
      returnTo: (id) => grid.current?.revealItem(id, { focus: true }),
    }),
    [items, cursor, loading, error, loadMore],
  );
  usePublishViewerSource(viewerSource);

  return (
    <section aria-label="Album" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" onClick={() => setPending({ kind: "share", scope: "album" })} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">
          Share album
        </button>
        <button type="button" onClick={() => setPending({ kind: "rename" })} className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
          Edit album
        </button>
        <button
          type="button"
          onClick={() => setPending({ kind: "delete-album" })}
          className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
        >
          Delete album
        </button>
      </div>
      {total > 0 ? (
        <SelectionBar
          count={selection.count}
          total={total}
          busy={busy}
          onSelectAll={selection.selectAll}
          onClear={selection.clear}
          actions={[
            { label: "Download selected", icon: <DownloadIcon className="size-4" />, onClick: () => void download() },
            { label: "Share", icon: <ShareIcon className="size-4" />, onClick: () => void shareSelected() },
            { label: "Remove from album", tone: "danger", icon: <RemoveIcon className="size-4" />, onClick: () => void removeSelected() },
          ]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>
      {items.length === 0 ? (
        <div className="mt-10 flex flex-col items-center gap-2 text-center">
          <h2 className="text-xl font-medium">This album is empty</h2>
          <p className="text-zinc-600 dark:text-zinc-400">Select photos on the Photos page and choose “Add to album”.</p>
        </div>
      ) : (
        <PhotoGrid
          ref={grid}
          sections={sections}
          grouped={false}
          label={`Images in ${title}`}
          isSelected={selection.isSelected}
          selectionMode={selection.count > 0}
          hrefFor={hrefFor}
          src={src}
          onOpen={open}
          onToggle={selection.toggle}
          onExtend={selection.extendTo}
          onNeedMonth={() => void loadMore()}
        />
      )}
      {cursor ? (
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
      <div className="h-20 sm:h-4" aria-hidden="true" />

      {pending?.kind === "share" ? (
        <ShareDialog
          scope={pending.scope === "album" ? { albumId } : { selection: packSelection({ ids: shareIds ?? [] }) }}
          what={pending.scope === "album" ? "this album" : plural(shareIds?.length ?? 0, "image")}
          onClose={() => setPending(null)}
        />
      ) : null}
      {pending?.kind === "rename" ? <RenameAlbumDialog albumId={albumId} title={title} description={description} onClose={() => setPending(null)} /> : null}
      {pending?.kind === "delete-album" ? (
        <ConfirmDialog
          title={`Delete the album “${title}”?`}
          confirmLabel="Delete album"
          busy={busy}
          onCancel={() => !busy && setPending(null)}
          onConfirm={() => {
            setBusy(true);
            void runAction(deleteAlbumAction, { albumId }).then((result) => {
              setBusy(false);
              if (result.status === "error") setMessage(errorMessage(result));
              setPending(null);
            });
          }}
        >
          The photos stay in your library. Links that share this album stop working.
        </ConfirmDialog>
      ) : null}
      {pending?.kind === "trash" ? (
        <ConfirmDialog
          title="Move this photo to the trash?"
          confirmLabel="Move to trash"
          busy={busy}
          onCancel={() => !busy && setPending(null)}
          onConfirm={() => {
            const item = pending.item;
            setBusy(true);
            void runAction(trashImagesAction, { selection: packSelection({ ids: [item.id] }) }).then((result) => {
              setBusy(false);
              setPending(null);
              if (result.status === "success") {
                drop([item.id]);
                router.back();
                toast("Moved 1 image to the trash.");
              } else setMessage(errorMessage(result));
            });
          }}
        >
          It leaves this album and every other until you restore it.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
