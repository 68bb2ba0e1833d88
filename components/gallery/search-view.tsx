"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { toast } from "sonner";

import { plural } from "@/components/format";
import { startDownload } from "@/components/gallery/download-selection";
import { EmptyMessage } from "@/components/gallery/empty-message";
import { type ViewerSource, usePublishViewerSource } from "@/components/gallery/gallery-context";
import { MoveToTrashDialog, trashInSteps } from "@/components/gallery/move-to-trash";
import { PhotoGrid } from "@/components/gallery/photo-grid";
import { reportStepsFailure } from "@/components/gallery/run-in-steps";
import { SelectionBar, deleteSelected, downloadSelected } from "@/components/gallery/selection-bar";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { useAnalysisStatus } from "@/components/gallery/use-analysis-status";
import { type Selection, gridSelection, loadedIdsOf, useSelection } from "@/components/gallery/use-selection";
import { useSelectionKeys } from "@/components/gallery/use-selection-keys";
import { type GalleryItem, type GalleryPage, imageUrl } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

const src = (item: GalleryItem, variant: "thumb" | "preview" | "original") => imageUrl(item.id, variant);
const hrefFor = (item: GalleryItem) => `/photo/${item.id}`;

/**
 * Search results in the gallery's grid, with the timeline's selection and
 * actions. "Select all" means every result, also those not shown: it travels
 * as the query and the server resolves it from the index.
 */
export function SearchView({ q, initial, retentionDays }: { q: string; initial: GalleryPage; retentionDays: number }) {
  const router = useRouter();
  const [items, setItems] = useState(initial.items);
  const [total, setTotal] = useState(initial.total);
  const selection = useSelection({ items, total });
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const [confirm, setConfirm] = useState<{ selection: Selection; count: number } | null>(null);

  const tiles = useAnalysisStatus(items);
  const sections = useMemo<MonthSection[]>(() => [{ month: "search", items: tiles, complete: true, count: tiles.length }], [tiles]);
  // "All" is all results of this query, never the whole library.
  const chosen = useCallback((s: Selection) => packSelection("all" in s ? { ...s, search: q } : s), [q]);

  const download = () => {
    const current = selection.selection;
    const single = "ids" in current && current.ids.length === 1 ? current.ids[0] : null;
    return startDownload({ single, count: selection.count, wire: chosen(current), say: setAnnouncement, setBusy });
  };

  const askDelete = useCallback(() => {
    if (selection.count > 0) setConfirm({ selection: selection.selection, count: selection.count });
  }, [selection]);

  const confirmDelete = async () => {
    if (!confirm) return;
    setBusy(true);
    const result = await trashInSteps(chosen(confirm.selection), confirm.count);
    setBusy(false);
    const picked = confirm.selection;
    setConfirm(null);
    if (result.status !== "success") {
      reportStepsFailure(result, setAnnouncement, () => router.refresh());
      return;
    }
    const gone = new Set(loadedIdsOf(picked, items));
    setItems((prev) => prev.filter((i) => !gone.has(i.id)));
    setTotal((t) => Math.max(0, t - result.done));
    selection.clear();
    const text = `Moved ${plural(result.done, "image")} to the trash.`;
    setAnnouncement(text);
    toast(text);
  };

  useSelectionKeys({ enabled: items.length > 0, count: selection.count, onSelectAll: selection.selectAll, onClear: selection.clear, onDelete: askDelete });

  const viewerSource = useMemo<ViewerSource>(
    () => ({
      items,
      hasMore: false,
      loading: false,
      error: null,
      loadMore: () => {},
      requestDelete: (item) => setConfirm({ selection: { ids: [item.id] }, count: 1 }),
      returnTo: () => {},
    }),
    [items],
  );
  usePublishViewerSource(viewerSource);

  return (
    <section aria-label="Search results" className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">
        Results for “{q}”
      </h1>
      {total > 0 ? (
        <SelectionBar
          selection={selection}
          busy={busy}
          actions={[downloadSelected(() => void download()), deleteSelected(askDelete)]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="sr-only" data-testid="gallery-announcement">
        {announcement}
      </p>
      {items.length === 0 ? (
        <EmptyMessage title="No images match">
          Try a word from a filename, a thing (dog, car), a colour, a camera, a year or a month (june 2024).
        </EmptyMessage>
      ) : (
        <PhotoGrid
          sections={sections}
          grouped={false}
          label="Search results"
          {...gridSelection(selection)}
          hrefFor={hrefFor}
          src={src}
          onOpen={(item) => router.push(hrefFor(item), { scroll: false })}
          onNeedMonth={() => {}}
        />
      )}
      {total > items.length ? <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">Showing the newest {items.length.toLocaleString("en-US")} of {plural(total, "result")}; “Select all” includes every result.</p> : null}
      <div className="h-20 sm:h-4" aria-hidden="true" />
      {confirm ? (
        <MoveToTrashDialog
          count={confirm.count}
          retentionDays={retentionDays}
          busy={busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => {
            if (!busy) setConfirm(null);
          }}
        />
      ) : null}
    </section>
  );
}
