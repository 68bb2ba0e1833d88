"use client";

import { formatBytes } from "@/components/format";
import { ProgressBar } from "@/components/upload/progress-bar";
import { rowPercent, statusText } from "@/components/upload/progress";
import type { UploadRow, ZipNotice } from "@/components/upload/upload-store";

// The lines of the upload list. Each cancellable one has a button marked
// data-cancel, so the panel can move focus to a neighbour when it disappears.

/** A line about a ZIP archive: being opened (cancellable), then how many images it holds. */
export function ZipNoticeItem({ notice, onCancel }: { notice: ZipNotice; onCancel: (notice: ZipNotice, button: HTMLButtonElement) => void }) {
  const opening = notice.state === "opening";
  return (
    <li data-testid="upload-notice" data-state={notice.state} className="flex items-baseline gap-2 bg-zinc-50 px-4 py-2.5 dark:bg-zinc-800/50">
      <ArchiveIcon />
      <span className={`min-w-0 flex-1 truncate text-sm ${opening ? "animate-pulse text-zinc-600 dark:text-zinc-400" : "font-medium"}`} title={notice.text}>
        {notice.text}
      </span>
      {opening ? (
        <button
          type="button"
          data-cancel=""
          onClick={(event) => onCancel(notice, event.currentTarget)}
          aria-label={`Stop opening ${notice.name}`}
          className="-my-1 shrink-0 rounded px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        >
          Cancel
        </button>
      ) : null}
    </li>
  );
}

function ArchiveIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-4 shrink-0 self-center text-zinc-500 dark:text-zinc-400">
      <path d="M2 3a1 1 0 0 0-1 1v1a1 1 0 0 0 1 1h16a1 1 0 0 0 1-1V4a1 1 0 0 0-1-1H2Z" />
      <path
        fillRule="evenodd"
        d="M2 7.5h16l-.811 7.71a2 2 0 0 1-1.99 1.79H4.802a2 2 0 0 1-1.99-1.79L2 7.5ZM7 11a1 1 0 0 1 1-1h4a1 1 0 1 1 0 2H8a1 1 0 0 1-1-1Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

/** One file: its bar and status line, and a link to the copy when the library already had it. */
export function UploadRowItem({ row, onCancel }: { row: UploadRow; onCancel: (row: UploadRow, button: HTMLButtonElement) => void }) {
  const failed = row.status === "error";
  const text = statusText(row);
  const cancellable = row.status === "queued" || row.status === "uploading";
  return (
    <li data-testid="upload-row" data-status={row.status} className="px-4 py-2.5">
      <div className="flex items-baseline gap-2">
        <span className="min-w-0 flex-1 truncate text-sm font-medium" title={row.name}>
          {row.name}
        </span>
        <span className="shrink-0 text-xs tabular-nums text-zinc-500 dark:text-zinc-400">{formatBytes(row.size)}</span>
        {cancellable ? (
          <button
            type="button"
            data-cancel=""
            onClick={(event) => onCancel(row, event.currentTarget)}
            aria-label={`Cancel upload of ${row.name}`}
            className="-my-1 shrink-0 rounded px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            Cancel
          </button>
        ) : null}
      </div>
      <div className="mt-1.5 flex">
        <ProgressBar
          label={`Upload progress for ${row.name}`}
          value={rowPercent(row)}
          valueText={text}
          tone={failed ? "error" : row.status === "done" ? "done" : "active"}
          indeterminate={row.status === "processing"}
        />
      </div>
      <p
        className={`mt-1 text-xs ${
          failed
            ? "font-medium text-red-700 dark:text-red-400"
            : row.status === "done"
              ? "text-emerald-700 dark:text-emerald-400"
              : "tabular-nums text-zinc-600 dark:text-zinc-400"
        }`}
      >
        {text}
      </p>
      {row.duplicateOf ? (
        <p className="mt-0.5 text-xs text-amber-800 dark:text-amber-300">
          Already in your library{row.skipped ? " (skipped)" : ""} ·{" "}
          <a href={`/photo/${encodeURIComponent(row.duplicateOf)}`} className="font-medium underline">
            View the copy
          </a>
        </p>
      ) : null}
    </li>
  );
}
