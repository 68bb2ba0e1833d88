"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useRef, useState } from "react";
import { toast } from "sonner";

import { trashImagesAction } from "@/app/(gallery)/actions";
import { deleteAlbumAction, removeFromAlbumAction } from "@/app/(gallery)/albums/actions";
import { networkErrorMessage, readApiError } from "@/components/api-error";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { startDownload } from "@/components/gallery/download-selection";
import { EmptyMessage } from "@/components/gallery/empty-message";
import { type ViewerSource, usePublishViewerSource } from "@/components/gallery/gallery-context";
import { LoadMore } from "@/components/gallery/load-more";
import { PhotoGrid, type PhotoGridHandle } from "@/components/gallery/photo-grid";
import { SelectionBar, downloadSelected, shareSelected } from "@/components/gallery/selection-bar";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { type Page, usePagedList } from "@/components/gallery/use-paged-list";
import { type Selection, gridSelection, useSelection } from "@/components/gallery/use-selection";
import { useSelectionKeys } from "@/components/gallery/use-selection-keys";
import { errorMessage, runAction } from "@/components/run-action";
import { RenameAlbumDialog } from "@/components/albums/rename-album-dialog";
import { RemoveIcon } from "@/components/share-icons";
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
  const fetchPage = useCallback(
    async (after: string): Promise<Page<GalleryItem, string>> => {
      const res = await fetch(`/api/albums/${albumId}/images?cursor=${encodeURIComponent(after)}`, { cache: "no-store" });
      if (!res.ok) throw new Error(await readApiError(res));
      const page = (await res.json()) as GalleryPage;
      return { items: page.items, next: page.nextCursor, total: page.total };
    },
    [albumId],
  );
  const list = usePagedList({ initial: { items: initial.items, next: initial.nextCursor, total: initial.total }, fetchPage });
  const { items, total, next: cursor, loading, error, loadMore } = list;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const selection = useSelection({ items, total });
  const grid = useRef<PhotoGridHandle>(null);

  /** The selection as explicit ids of this album: "Select all" loads the remaining pages first. */
  const explicitIds = async (chosen: Selection): Promise<string[]> => {
    if ("ids" in chosen) return chosen.ids;
    let all = items;
    let next = cursor;
    while (next) {
      const page = await fetchPage(next);
      all = [...all, ...page.items];
      next = page.next;
    }
    const except = new Set(chosen.except ?? []);
    return all.map((i) => i.id).filter((id) => !except.has(id));
  };

  const sections = useMemo<MonthSection[]>(() => [{ month: "album", items, complete: !cursor, count: items.length }], [items, cursor]);

  const removeSelected = async () => {
    const chosen = selection.selection;
    setBusy(true);
    const result = await runAction(removeFromAlbumAction, { albumId, selection: packSelection(chosen) });
    setBusy(false);
    if (result.status !== "success") {
      setMessage(errorMessage(result));
      return;
    }
    if ("ids" in chosen) list.remove(chosen.ids);
    else list.keepOnly(new Set(chosen.except ?? []));
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
      await startDownload({ single: ids.length === 1 ? ids[0] : null, count: ids.length, wire: packSelection({ ids }), say: setMessage });
    } catch (err) {
      setMessage(networkErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const [shareIds, setShareIds] = useState<string[] | null>(null);
  const shareChosen = async () => {
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
          selection={selection}
          busy={busy}
          actions={[
            downloadSelected(() => void download()),
            shareSelected(() => void shareChosen()),
            { label: "Remove from album", tone: "danger", icon: <RemoveIcon className="size-4" />, onClick: () => void removeSelected() },
          ]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>
      {items.length === 0 ? (
        <EmptyMessage title="This album is empty">Select photos on the Photos page and choose “Add to album”.</EmptyMessage>
      ) : (
        <PhotoGrid
          ref={grid}
          sections={sections}
          grouped={false}
          label={`Images in ${title}`}
          {...gridSelection(selection)}
          hrefFor={hrefFor}
          src={src}
          onOpen={open}
          onNeedMonth={() => void loadMore()}
        />
      )}
      <LoadMore hasMore={list.hasMore} loading={loading} error={error} onLoadMore={() => void loadMore()} />
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
                list.remove([item.id]);
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
