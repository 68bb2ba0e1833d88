"use client";

import { CloseIcon, DownloadIcon, TrashIcon } from "@/components/icons";
import { plural } from "@/components/format";
import type { SelectionApi } from "@/components/gallery/use-selection";
import { ShareIcon } from "@/components/share-icons";

export type BarAction = { label: string; onClick: () => void; tone?: "danger"; icon?: React.ReactNode };

// The actions several views offer, so each reads (and is found by) the same name everywhere.
export const downloadSelected = (onClick: () => void): BarAction => ({ label: "Download selected", icon: <DownloadIcon className="size-4" />, onClick });
export const shareSelected = (onClick: () => void): BarAction => ({ label: "Share", icon: <ShareIcon className="size-4" />, onClick });
export const deleteSelected = (onClick: () => void): BarAction => ({ label: "Delete selected", tone: "danger", icon: <TrashIcon className="size-4" />, onClick });

const quiet =
  "inline-flex items-center gap-1.5 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800";

/**
 * The actions for the current selection; every control is a labelled button,
 * so the keyboard reaches all of it. On a phone, once something is selected,
 * it becomes a bar at the bottom of the screen, within reach of the thumb.
 */
export function SelectionBar({
  selection,
  busy,
  actions,
  noun = "image",
}: {
  /** Its `total` is the listing's, loaded or not: what "Select all" selects. */
  selection: Pick<SelectionApi, "count" | "total" | "selectAll" | "clear">;
  busy: boolean;
  actions: BarAction[];
  noun?: string;
}) {
  const { count, total, selectAll: onSelectAll, clear: onClear } = selection;
  const selecting = count > 0;
  return (
    <div
      role="toolbar"
      aria-label="Selection"
      data-selecting={selecting || undefined}
      className="z-20 -mx-4 flex items-center gap-2 border-zinc-200 bg-zinc-50/95 px-4 py-2 backdrop-blur sm:sticky sm:top-[57px] sm:border-b dark:border-zinc-800 dark:bg-zinc-950/95 max-sm:data-selecting:fixed max-sm:data-selecting:inset-x-0 max-sm:data-selecting:bottom-0 max-sm:data-selecting:mx-0 max-sm:data-selecting:border-t max-sm:data-selecting:pb-[max(0.5rem,env(safe-area-inset-bottom))] max-sm:data-selecting:shadow-[0_-4px_12px_rgb(0_0_0/0.08)]"
    >
      {selecting ? (
        <button type="button" className="-ml-1 rounded-full p-2 hover:bg-zinc-200 dark:hover:bg-zinc-800" onClick={onClear} disabled={busy} aria-label="Clear selection">
          <CloseIcon className="size-5" />
        </button>
      ) : null}
      <span className="mr-auto min-w-0 truncate text-sm text-zinc-700 tabular-nums sm:mr-2 dark:text-zinc-300" aria-live="polite">
        {selecting ? `${count.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} selected` : plural(total, noun)}
      </span>
      <button type="button" className={quiet} onClick={onSelectAll} disabled={busy || total === 0 || count === total}>
        Select all
      </button>
      {selecting
        ? actions.map((a) => (
            <button
              key={a.label}
              type="button"
              onClick={a.onClick}
              disabled={busy}
              aria-label={a.label}
              className={`inline-flex shrink-0 items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 ${
                a.tone === "danger" ? "bg-red-700 hover:bg-red-800" : "bg-sky-700 hover:bg-sky-800"
              }`}
            >
              {a.icon}
              <span className="max-sm:sr-only">{a.label}</span>
            </button>
          ))
        : null}
      <span className="hidden flex-1 sm:block" aria-hidden="true" />
    </div>
  );
}
