"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useRef, useState } from "react";
import { toast } from "sonner";

import { undoTrashAction } from "@/app/(gallery)/actions";
import { plural } from "@/components/format";
import { PhotoIcon } from "@/components/icons";
import { runAction } from "@/components/run-action";
import { DateScrubber, type MonthOffsets } from "@/components/gallery/date-scrubber";
import { startDownload } from "@/components/gallery/download-selection";
import { type ViewerSource, usePublishViewerSource } from "@/components/gallery/gallery-context";
import { MoveToTrashDialog, trashInSteps } from "@/components/gallery/move-to-trash";
import { PhotoGrid, type PhotoGridHandle } from "@/components/gallery/photo-grid";
import { reportStepsFailure, runInSteps } from "@/components/gallery/run-in-steps";
import { SelectionBar, deleteSelected, downloadSelected, shareSelected } from "@/components/gallery/selection-bar";
import { monthSections } from "@/components/gallery/timeline-layout";
import { useAnalysisStatus } from "@/components/gallery/use-analysis-status";
import { useImageList } from "@/components/gallery/use-image-list";
import { type Selection, gridSelection, loadedIdsOf, useSelection } from "@/components/gallery/use-selection";
import { useSelectionKeys } from "@/components/gallery/use-selection-keys";
import { AddToAlbumDialog } from "@/components/albums/add-to-album-dialog";
import { AlbumIcon } from "@/components/share-icons";
import { ShareDialog } from "@/components/shares/share-dialog";
import { Uploader } from "@/components/upload/uploader";
import { useShareInbox } from "@/components/upload/use-share-inbox";
import { useUploads } from "@/components/upload/use-uploads";
import { type GalleryItem, type GalleryPage, imageUrl } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

type Months = { month: string; count: number }[];
type PendingDelete = { selection: Selection; count: number; preview: GalleryItem[]; fromSelection: boolean };

const src = (item: GalleryItem, variant: "thumb" | "preview" | "original") => imageUrl(item.id, variant);
const hrefFor = (item: GalleryItem) => `/photo/${item.id}`;

/**
 * The photo timeline: uploads, the justified grid grouped by date taken, the
 * date scrubber, selection with its actions, and the viewer's list.
 */
export function TimelineView({
  initial,
  months: serverMonths,
  maxBytes,
  retentionDays,
}: {
  initial: GalleryPage;
  months: Months;
  maxBytes: number;
  retentionDays: number;
}) {
  const router = useRouter();
  const monthKeys = useMemo(() => serverMonths.map((m) => m.month), [serverMonths]);
  const list = useImageList({ initial, months: monthKeys });
  const { items, total, addItem, removeItems, restoreItems, isMonthComplete, loadMonth } = list;
  const selection = useSelection({ items, total });
  const uploads = useUploads({ maxBytes, onUploaded: addItem });
  const grid = useRef<PhotoGridHandle>(null);
  const [monthOffsets, setMonthOffsets] = useState<MonthOffsets | null>(null);
  const [confirm, setConfirm] = useState<PendingDelete | null>(null);
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  // The last trash step, for Undo: its batch on the server, and the loaded tiles it hid here.
  const lastTrash = useRef<{ batch: string; ids: string[] } | null>(null);
  // "Add to album" and "Share" on the selection (components/albums, components/shares).
  const [selectionDialog, setSelectionDialog] = useState<"album" | "share" | null>(null);

  useShareInbox(uploads.addFiles);

  const tiles = useAnalysisStatus(items);
  const sections = useMemo(() => monthSections(tiles, serverMonths, isMonthComplete), [tiles, serverMonths, isMonthComplete]);
  const scrubberMonths = useMemo(() => sections.map((s) => ({ month: s.month, count: s.count })), [sections]);

  const askDelete = useCallback((pending: PendingDelete) => setConfirm({ ...pending, preview: pending.preview.slice(0, 4) }), []);

  const undo = useCallback(
    async ({ batch, ids }: { batch: string; ids: string[] }) => {
      lastTrash.current = null;
      const result = await runInSteps({
        total: ids.length,
        step: () => runAction(undoTrashAction, { batch }),
        progress: (done) => `Restoring… ${done} so far`,
      });
      if (result.status === "success") {
        restoreItems(ids);
        const text = `Restored ${plural(result.done, "image")}.`;
        setAnnouncement(text);
        toast.success(text);
      } else {
        reportStepsFailure(result, setAnnouncement, () => router.refresh());
      }
    },
    [restoreItems, router],
  );

  const confirmDelete = async () => {
    if (!confirm) return;
    setBusy(true);
    const { selection: chosen, fromSelection, count } = confirm;
    const result = await trashInSteps(packSelection(chosen), count);
    setBusy(false);
    setConfirm(null);
    if (result.status !== "success") {
      reportStepsFailure(result, setAnnouncement, () => router.refresh());
      return;
    }
    // "All" also covers pages never loaded; the server skips them from listing already.
    const gone = loadedIdsOf(chosen, items);
    removeItems(gone);
    if (fromSelection || ("ids" in chosen && chosen.ids.length === 1 && selection.count <= 1)) selection.clear();
    const text = `Moved ${plural(result.done, "image")} to the trash.`;
    setAnnouncement(text);
    // Undo restores exactly what this trash moved (one batch on the server), "Select all" included.
    const step = result.batch ? { batch: result.batch, ids: gone } : null;
    lastTrash.current = step;
    toast(text, step ? { duration: 10_000, action: { label: "Undo", onClick: () => void undo(step) } } : { duration: 10_000 });
  };

  const download = () => {
    const chosen = selection.selection;
    const single = "ids" in chosen && chosen.ids.length === 1 ? chosen.ids[0] : null;
    return startDownload({ single, count: selection.count, wire: packSelection(chosen), say: setAnnouncement, setBusy });
  };

  const askDeleteSelected = useCallback(() => {
    if (selection.count === 0) return;
    askDelete({ selection: selection.selection, count: selection.count, preview: selection.selectedLoaded, fromSelection: true });
  }, [askDelete, selection]);

  useSelectionKeys({
    enabled: items.length > 0,
    count: selection.count,
    onSelectAll: selection.selectAll,
    onClear: selection.clear,
    onDelete: askDeleteSelected,
    onUndo: () => {
      if (lastTrash.current) void undo(lastTrash.current);
    },
  });

  const open = useCallback(
    (item: GalleryItem) => {
      router.push(hrefFor(item), { scroll: false });
    },
    [router],
  );

  // The viewer (an intercepted route in the @modal slot) reads the list from here.
  const { hasMore, loading, error, loadMore } = list;
  const viewerSource = useMemo<ViewerSource>(
    () => ({
      items,
      hasMore,
      loading,
      error,
      loadMore: () => void loadMore(),
      requestDelete: (item) => askDelete({ selection: { ids: [item.id] }, count: 1, preview: [item], fromSelection: false }),
      returnTo: (id) => grid.current?.revealItem(id, { focus: true }),
    }),
    [items, hasMore, loading, error, loadMore, askDelete],
  );
  usePublishViewerSource(viewerSource);

  const empty = items.length === 0 && total === 0 && !hasMore;

  return (
    <>
      <div className="mb-2 flex items-center gap-3">
        <h1 className="text-2xl font-semibold">Photos</h1>
        <div className="ml-auto">
          <Uploader uploads={uploads} maxBytes={maxBytes} />
        </div>
      </div>
      <section aria-label="Gallery" className="flex flex-col gap-4">
        {!empty ? (
          <SelectionBar
            selection={selection}
            busy={busy}
            actions={[
              downloadSelected(() => void download()),
              { label: "Add to album", icon: <AlbumIcon className="size-4" />, onClick: () => setSelectionDialog("album") },
              shareSelected(() => setSelectionDialog("share")),
              deleteSelected(askDeleteSelected),
            ]}
          />
        ) : null}
        {selectionDialog === "album" ? (
          <AddToAlbumDialog
            selection={packSelection(selection.selection)}
            count={selection.count}
            onClose={() => setSelectionDialog(null)}
            onDone={(text) => {
              setSelectionDialog(null);
              setAnnouncement(text);
              toast.success(text);
            }}
          />
        ) : selectionDialog === "share" ? (
          <ShareDialog scope={{ selection: packSelection(selection.selection) }} what={plural(selection.count, "image")} onClose={() => setSelectionDialog(null)} />
        ) : null}
        <p role="status" aria-live="polite" className="sr-only" data-testid="gallery-announcement">
          {announcement}
        </p>
        {empty ? (
          <EmptyState />
        ) : (
          <div className="pr-6 sm:pr-14">
            <PhotoGrid
              ref={grid}
              sections={sections}
              grouped
              label="Your images"
              {...gridSelection(selection)}
              hrefFor={hrefFor}
              src={src}
              onOpen={open}
              onNeedMonth={(month) => void loadMonth(month)}
              onLayout={() => setMonthOffsets(grid.current?.monthOffsets() ?? null)}
            />
            <DateScrubber
              months={scrubberMonths}
              layout={monthOffsets}
              onJump={(month) => grid.current?.scrollToMonth(month)}
            />
            <GridFooter count={items.length} hasMore={hasMore} loading={loading} error={error} onRetry={() => void loadMore()} />
          </div>
        )}
      </section>

      {confirm ? (
        <MoveToTrashDialog
          count={confirm.count}
          retentionDays={retentionDays}
          busy={busy}
          preview={confirm.preview}
          onConfirm={() => void confirmDelete()}
          onCancel={() => {
            if (!busy) setConfirm(null);
          }}
        />
      ) : null}
    </>
  );
}

function GridFooter({ count, hasMore, loading, error, onRetry }: { count: number; hasMore: boolean; loading: boolean; error: string | null; onRetry: () => void }) {
  return (
    <div className="flex min-h-12 flex-col items-center justify-center gap-2 pt-4 pb-24 text-sm sm:pb-8">
      <p role="status" className="sr-only">
        {loading ? "Loading more images…" : ""}
      </p>
      {error ? (
        <div
          role="alert"
          className="flex flex-wrap items-center justify-center gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-300"
        >
          <span>{error}</span>
          <button type="button" onClick={onRetry} className="rounded-md bg-white px-3 py-1 font-medium text-red-800 shadow-sm ring-1 ring-red-200 hover:bg-red-100 dark:bg-red-900/40 dark:text-red-200 dark:ring-red-800">
            Try again
          </button>
        </div>
      ) : !hasMore && count > 0 ? (
        <p className="text-zinc-600 dark:text-zinc-400">{plural(count, "image")}</p>
      ) : null}
    </div>
  );
}

function EmptyState() {
  return (
    <div className="mt-10 flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-zinc-300 px-6 py-16 text-center dark:border-zinc-700">
      <span className="flex size-14 items-center justify-center rounded-full bg-sky-100 text-sky-700 dark:bg-sky-950 dark:text-sky-300">
        <PhotoIcon className="size-7" />
      </span>
      <h2 className="text-xl font-semibold">No images yet</h2>
      <p className="max-w-sm text-zinc-600 dark:text-zinc-400">Drop images anywhere on this page, or use Upload images.</p>
    </div>
  );
}
