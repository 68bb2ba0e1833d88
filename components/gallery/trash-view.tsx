"use client";

import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { toast } from "sonner";

import { deleteForeverAction, emptyTrashAction, restoreImagesAction } from "@/app/(gallery)/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { RestoreIcon, TrashIcon } from "@/components/icons";
import { type ActionState, runAction } from "@/components/run-action";
import { PhotoGrid } from "@/components/gallery/photo-grid";
import { runInSteps } from "@/components/gallery/run-in-steps";
import { SelectionBar } from "@/components/gallery/selection-bar";
import type { MonthSection } from "@/components/gallery/timeline-layout";
import { useImageList } from "@/components/gallery/use-image-list";
import { type Selection, useSelection } from "@/components/gallery/use-selection";
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

  const drop = (chosen: Selection | null) => {
    if (chosen === null) removeItems(items.map((i) => i.id));
    else if ("ids" in chosen) removeItems(chosen.ids);
    else {
      const kept = new Set(chosen.except ?? []);
      removeItems(items.filter((i) => !kept.has(i.id)).map((i) => i.id));
    }
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
    else {
      setMessage(result.message);
      toast.error(result.message);
      // Part of a long selection may be done already: show the truth.
      if (result.done > 0) router.refresh();
    }
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
          count={selection.count}
          total={total}
          busy={busy}
          onSelectAll={selection.selectAll}
          onClear={selection.clear}
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
        <div className="mt-10 flex flex-col items-center gap-2 text-center">
          <h2 className="text-xl font-medium">The trash is empty</h2>
          <p className="text-zinc-600 dark:text-zinc-400">Images you delete from the gallery wait here before they are removed for good.</p>
        </div>
      ) : (
        <PhotoGrid
          sections={sections}
          grouped={false}
          label="Trashed images"
          isSelected={selection.isSelected}
          selectionMode={selection.count > 0}
          hrefFor={null}
          src={src}
          caption={caption}
          onOpen={() => {}}
          onToggle={selection.toggle}
          onExtend={selection.extendTo}
          onNeedMonth={() => {}}
        />
      )}
      {list.hasMore ? (
        <button
          type="button"
          onClick={() => void list.loadMore()}
          disabled={list.loading}
          className="self-center rounded-md border border-zinc-300 bg-white px-4 py-2 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
        >
          {list.loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
      {list.error ? (
        <p role="alert" className="self-center text-sm text-red-700 dark:text-red-400">
          {list.error}
        </p>
      ) : null}
      <div className="h-20 sm:h-4" aria-hidden="true" />

      {pending ? (
        <ConfirmDialog
          title={pending.kind === "empty" ? `Delete all ${plural(pending.count, "image")} in the trash forever?` : `Delete ${plural(pending.count, "image")} forever?`}
          confirmLabel={pending.kind === "empty" ? "Empty trash" : "Delete forever"}
          busy={busy}
          onCancel={() => !busy && setPending(null)}
          onConfirm={() => {
            if (pending.kind === "empty") {
              void run({
                total: pending.count,
                step: () => runAction(emptyTrashAction, {}),
                progress: (done, total) => `Deleting ${done} of ${total} forever…`,
                done: (n) => {
                  drop(null);
                  setMessage(`Deleted ${plural(n, "image")} forever.`);
                },
              });
            } else {
              const chosen = pending.selection;
              const wire = packSelection(chosen);
              void run({
                total: pending.count,
                step: () => runAction(deleteForeverAction, { selection: wire }),
                progress: (done, total) => `Deleting ${done} of ${total} forever…`,
                done: (n) => {
                  drop(chosen);
                  setMessage(`Deleted ${plural(n, "image")} forever.`);
                },
              });
            }
          }}
        >
          This removes the images and every copy of their data. It cannot be undone.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
