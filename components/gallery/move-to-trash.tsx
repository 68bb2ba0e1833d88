"use client";

// Moving images to the trash from the timeline, search results and the
// duplicates page: the confirmation and the bulk steps.

import { trashImagesAction } from "@/app/(gallery)/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { runInSteps } from "@/components/gallery/run-in-steps";
import { runAction } from "@/components/run-action";
import { type GalleryItem, imageUrl } from "@/lib/gallery-types";
import type { SelectionWire } from "@/lib/selection-wire";

/** Every step after the first names the first one's batch, so Undo restores the whole move. */
export function trashInSteps(selection: SelectionWire, total: number) {
  return runInSteps({
    total,
    step: (batch) => runAction(trashImagesAction, { selection, batch }),
    progress: (done, all) => `Moving ${done} of ${all} to the trash…`,
  });
}

/** "Move N images to the trash?", with up to four of them as thumbnails when `preview` is given. */
export function MoveToTrashDialog({
  count,
  retentionDays,
  busy,
  preview,
  onConfirm,
  onCancel,
}: {
  count: number;
  retentionDays: number;
  busy: boolean;
  preview?: GalleryItem[];
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog title={`Move ${plural(count, "image")} to the trash?`} confirmLabel="Move to trash" busy={busy} onConfirm={onConfirm} onCancel={onCancel}>
      <p className={preview ? "mb-3" : undefined}>
        You can restore them from the trash for {plural(retentionDays, "day")}; after that they are deleted for good.
      </p>
      {preview?.length ? (
        <ul className="flex gap-2" aria-label="Selected images">
          {preview.map((item) => (
            <li key={item.id} className="size-16 overflow-hidden rounded-md bg-zinc-200 dark:bg-zinc-800">
              {/* eslint-disable-next-line @next/next/no-img-element -- private thumbnails, already resized on the server */}
              <img src={imageUrl(item.id, "thumb")} alt={item.name} className="size-full object-cover" />
            </li>
          ))}
          {count > preview.length ? (
            <li className="flex size-16 items-center justify-center rounded-md bg-zinc-100 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
              +{(count - preview.length).toLocaleString("en-US")}
            </li>
          ) : null}
        </ul>
      ) : null}
    </ConfirmDialog>
  );
}
