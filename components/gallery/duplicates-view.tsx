"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

import { setSkipDuplicatesAction } from "@/app/(gallery)/actions";
import { formatBytes, plural } from "@/components/format";
import { runAction } from "@/components/run-action";
import { trashInSteps } from "@/components/gallery/move-to-trash";
import { type GalleryItem, imageUrl } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

type Group = { items: GalleryItem[]; keep: string };

/**
 * Groups of near-identical pictures. In each, the copies to keep are ticked
 * (the largest, to start with); "Move duplicates to trash" moves the others.
 */
export function DuplicatesView({ groups, skipDuplicates }: { groups: Group[]; skipDuplicates: boolean }) {
  const router = useRouter();
  const [keep, setKeep] = useState<ReadonlySet<string>>(() => new Set(groups.map((g) => g.keep)));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [skip, setSkip] = useState(skipDuplicates);

  const toTrash = groups.flatMap((g) => (g.items.some((i) => keep.has(i.id)) ? g.items.filter((i) => !keep.has(i.id)).map((i) => i.id) : []));

  const moveToTrash = async () => {
    if (toTrash.length === 0) return;
    setBusy(true);
    const result = await trashInSteps(packSelection({ ids: toTrash }), toTrash.length);
    setBusy(false);
    const text = result.status === "success" ? `Moved ${plural(result.done, "duplicate")} to the trash.` : result.message;
    setMessage(text);
    toast(text);
    router.refresh();
  };

  const saveSkip = async (next: boolean) => {
    setSkip(next);
    const result = await runAction(setSkipDuplicatesAction, { skip: next });
    setMessage(result.status === "success" ? (next ? "Duplicates will be skipped when you upload." : "Duplicates will be stored when you upload.") : "Couldn't save the setting.");
  };

  return (
    <div className="flex flex-col gap-6">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={skip} onChange={(e) => void saveSkip(e.currentTarget.checked)} className="size-4" />
        Skip duplicates (an upload identical to an image already in your library is not stored again)
      </label>
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>
      {groups.length === 0 ? (
        <p className="text-zinc-600 dark:text-zinc-400">No duplicates found. Images are compared once they have been analysed.</p>
      ) : (
        <>
          <div>
            <button
              type="button"
              disabled={busy || toTrash.length === 0}
              onClick={() => void moveToTrash()}
              className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50"
            >
              Move duplicates to trash
            </button>
            <span className="ml-3 text-sm text-zinc-600 dark:text-zinc-400">{plural(toTrash.length, "copy", "copies")} will move to the trash.</span>
          </div>
          <ul aria-label="Duplicate groups" className="flex flex-col gap-4">
            {groups.map((group, n) => (
              <li key={group.keep} aria-label={`Group ${n + 1}: ${plural(group.items.length, "copy", "copies")}`} className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
                <ul className="flex flex-wrap gap-3">
                  {group.items.map((item) => (
                    <li key={item.id} className="flex w-40 flex-col gap-1 text-xs">
                      {/* eslint-disable-next-line @next/next/no-img-element -- private thumbnails, already resized on the server */}
                      <img src={imageUrl(item.id, "thumb")} alt={item.name} className="h-28 w-40 rounded-md object-cover" />
                      <span className="truncate font-medium" title={item.name}>
                        {item.name}
                      </span>
                      <span className="text-zinc-600 dark:text-zinc-400">
                        {item.width}×{item.height} · {formatBytes(item.size)}
                      </span>
                      <label className="flex items-center gap-1.5">
                        <input
                          type="checkbox"
                          checked={keep.has(item.id)}
                          onChange={(e) => {
                            const checked = e.currentTarget.checked;
                            setKeep((prev) => {
                              const next = new Set(prev);
                              if (checked) next.add(item.id);
                              else next.delete(item.id);
                              return next;
                            });
                          }}
                          aria-label={`Keep ${item.name}`}
                        />
                        Keep
                      </label>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
