"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";

import { deleteForeverAction, emptyTrashAction, restoreImagesAction } from "@/app/(gallery)/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { RestoreIcon, TrashIcon } from "@/components/icons";
import { type ActionState, runAction } from "@/components/run-action";
import { EmptyMessage } from "@/components/gallery/empty-message";
import { LoadMore } from "@/components/gallery/load-more";
import { PhotoGrid } from "@/components/gallery/photo-grid";
import { reportStepsFailure, runInSteps } from "@/components/gallery/run-in-steps";
import { SelectionBar } from "@/components/gallery/selection-bar";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { useImageList } from "@/components/gallery/use-image-list";
import { type Selection, gridSelection, loadedIdsOf, useSelection } from "@/components/gallery/use-selection";
import { useSelectionKeys } from "@/components/gallery/use-selection-keys";
import { type BulkStep, type GalleryItem, type GalleryPage, imageUrl } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

type Pending = { kind: "forever"; selection: Selection; count: number } | { kind: "empty"; count: number };

const DAY_MS = 86_400_000;
const src = (item: GalleryItem, variant: "thumb" | "preview" | "original") => `${imageUrl(item.id, variant)}?trash=1`;

/** Whole days until the trash purges an image, counted from the server's clock at render. */
export function daysLeft(trashedAt: string | null, retentionDays: number, now: number): number {
  const at = trashedAt ? Date.parse(trashedAt) : now;
  return Math.max(0, Math.ceil((at + retentionDays * DAY_MS - now) / DAY_MS));
}

export function TrashView({ initial, retentionDays, now }: { initial: GalleryPage; retentionDays: number; now: number }) {
  const router = useRouter();
  const list = useImageList({ initial, trash: true });
  const { items, total, removeItems } = list;
  const selection = useSelection({ items, total });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);

  const sections = useMemo<MonthSection[]>(() => [{ month: "trash", items, complete: true, count: items.length }], [items]);

  /** Hides what a finished run covered: `null` is the whole trash. */
  const drop = (chosen: Selection | null) => {
    removeItems(chosen === null ? items.map((i) => i.id) : loadedIdsOf(chosen, items));
    selection.clear();
  };

  const run = async ({
    total,
    step,
    progress,
    done,
  }: {
    total: number;
    step: () => Promise<ActionState<BulkStep>>;
    progress: (done: string, total: string) => string;
    done: (n: number) => void;
  }) => {
    setBusy(true);
    const result = await runInSteps({ total, step, progress });
    setBusy(false);
    setPending(null);
    if (result.status === "success") done(result.done);
    else reportStepsFailure(result, setMessage, () => router.refresh());
  };

  const restore = () => {
    const chosen = selection.selection;
    const wire = packSelection(chosen);
    void run({
      total: selection.count,
      step: () => runAction(restoreImagesAction, { selection: wire }),
      progress: (done, total) => `Restoring ${done} of ${total}…`,
      done: (n) => {
        drop(chosen);
        setMessage(`Restored ${plural(n, "image")}.`);
      },
    });
  };

  const askForever = useCallback(() => {
    if (selection.count > 0) setPending({ kind: "forever", selection: selection.selection, count: selection.count });
  }, [selection]);

  useSelectionKeys({ enabled: items.length > 0, count: selection.count, onSelectAll: selection.selectAll, onClear: selection.clear, onDelete: askForever });

  const caption = useCallback(
    (item: GalleryItem) => {
      const days = daysLeft(item.trashedAt, retentionDays, now);
      return <span className={days <= 3 ? "font-medium text-red-700 dark:text-red-400" : undefined}>{days === 0 ? "Deleted today" : `${plural(days, "day")} left`}</span>;
    },
    [retentionDays, now],
  );

  return (
    <section aria-label="Trashed images" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          disabled={busy || total === 0}
          onClick={() => setPending({ kind: "empty", count: total })}
          className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
        >
          Empty trash
        </button>
      </div>
      {total > 0 ? (
        <SelectionBar
          selection={selection}
          busy={busy}
          actions={[
            { label: "Restore", icon: <RestoreIcon className="size-4" />, onClick: restore },
            { label: "Delete forever", tone: "danger", icon: <TrashIcon className="size-4" />, onClick: askForever },
          ]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>

      {items.length === 0 ? (
        <EmptyMessage title="The trash is empty">Images you delete from the gallery wait here before they are removed for good.</EmptyMessage>
      ) : (
        <PhotoGrid
          sections={sections}
          grouped={false}
          label="Trashed images"
          {...gridSelection(selection)}
          hrefFor={null}
          src={src}
          caption={caption}
          onOpen={() => {}}
          onNeedMonth={() => {}}
        />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loading} error={list.error} onLoadMore={() => void list.loadMore()} />
      <div className="h-20 sm:h-4" aria-hidden="true" />

      {pending ? (
        <ConfirmDialog
          title={pending.kind === "empty" ? `Delete all ${plural(pending.count, "image")} in the trash forever?` : `Delete ${plural(pending.count, "image")} forever?`}
          confirmLabel={pending.kind === "empty" ? "Empty trash" : "Delete forever"}
          busy={busy}
          onCancel={() => !busy && setPending(null)}
          onConfirm={() => {
            // Emptying has no selection: the server takes every trashed image, and so does drop(null).
            const chosen = pending.kind === "empty" ? null : pending.selection;
            const wire = chosen && packSelection(chosen);
            void run({
              total: pending.count,
              step: () => (wire ? runAction(deleteForeverAction, { selection: wire }) : runAction(emptyTrashAction, {})),
              progress: (done, total) => `Deleting ${done} of ${total} forever…`,
              done: (n) => {
                drop(chosen);
                setMessage(`Deleted ${plural(n, "image")} forever.`);
              },
            });
          }}
        >
          This removes the images and every copy of their data. It cannot be undone.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
