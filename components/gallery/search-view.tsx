"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { toast } from "sonner";

import { createZipDownloadAction, trashImagesAction } from "@/app/(gallery)/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { DownloadIcon, TrashIcon } from "@/components/icons";
import { errorMessage, runAction } from "@/components/run-action";
import { type ViewerSource, usePublishViewerSource } from "@/components/gallery/gallery-context";
import { PhotoGrid } from "@/components/gallery/photo-grid";
import { runInSteps } from "@/components/gallery/run-in-steps";
import { SelectionBar } from "@/components/gallery/selection-bar";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { useAnalysisStatus } from "@/components/gallery/use-analysis-status";
import { type Selection, useSelection } from "@/components/gallery/use-selection";
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

  const download = async () => {
    const current = selection.selection;
    if ("ids" in current && current.ids.length === 1) {
      window.location.assign(imageUrl(current.ids[0], "original", { download: true }));
      setAnnouncement("Your download has started.");
      return;
    }
    setBusy(true);
    setAnnouncement(`Preparing a zip of ${plural(selection.count, "image")}…`);
    const result = await runAction(createZipDownloadAction, { selection: chosen(current) });
    setBusy(false);
    if (result.status === "success" && result.data) {
      window.location.assign(result.data.url);
      setAnnouncement(`Your zip of ${plural(result.data.count, "image")} is downloading.`);
    } else {
      setAnnouncement(errorMessage(result));
    }
  };

  const askDelete = useCallback(() => {
    if (selection.count > 0) setConfirm({ selection: selection.selection, count: selection.count });
  }, [selection]);

  const confirmDelete = async () => {
    if (!confirm) return;
    setBusy(true);
    const wire = chosen(confirm.selection);
    const result = await runInSteps({
      total: confirm.count,
      step: (batch) => runAction(trashImagesAction, { selection: wire, batch }),
      progress: (done, all) => `Moving ${done} of ${all} to the trash…`,
    });
    setBusy(false);
    const picked = confirm.selection;
    setConfirm(null);
    if (result.status !== "success") {
      setAnnouncement(result.message);
      toast.error(result.message);
      if (result.done > 0) router.refresh();
      return;
    }
    const kept = new Set("ids" in picked ? [] : (picked.except ?? []));
    const gone = new Set("ids" in picked ? picked.ids : items.filter((i) => !kept.has(i.id)).map((i) => i.id));
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
          count={selection.count}
          total={total}
          busy={busy}
          onSelectAll={selection.selectAll}
          onClear={selection.clear}
          actions={[
            { label: "Download selected", icon: <DownloadIcon className="size-4" />, onClick: () => void download() },
            { label: "Delete selected", tone: "danger", icon: <TrashIcon className="size-4" />, onClick: askDelete },
          ]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="sr-only" data-testid="gallery-announcement">
        {announcement}
      </p>
      {items.length === 0 ? (
        <div className="mt-10 flex flex-col items-center gap-2 text-center">
          <h2 className="text-xl font-medium">No images match</h2>
          <p className="text-zinc-600 dark:text-zinc-400">
            Try a word from a filename, a thing (dog, car), a colour, a camera, a year or a month (june 2024).
          </p>
        </div>
      ) : (
        <PhotoGrid
          sections={sections}
          grouped={false}
          label="Search results"
          isSelected={selection.isSelected}
          selectionMode={selection.count > 0}
          hrefFor={hrefFor}
          src={src}
          onOpen={(item) => router.push(hrefFor(item), { scroll: false })}
          onToggle={selection.toggle}
          onExtend={selection.extendTo}
          onNeedMonth={() => {}}
        />
      )}
      {total > items.length ? <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">Showing the newest {items.length.toLocaleString("en-US")} of {plural(total, "result")}; “Select all” includes every result.</p> : null}
      <div className="h-20 sm:h-4" aria-hidden="true" />
      {confirm ? (
        <ConfirmDialog
          title={`Move ${plural(confirm.count, "image")} to the trash?`}
          confirmLabel="Move to trash"
          busy={busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => {
            if (!busy) setConfirm(null);
          }}
        >
          <p>You can restore them from the trash for {plural(retentionDays, "day")}; after that they are deleted for good.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
