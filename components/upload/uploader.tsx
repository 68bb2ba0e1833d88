"use client";

import { useEffect, useId, useRef, useState } from "react";

import { formatBytes, rowPercent, statusText } from "@/components/upload-queue";
import { type UploadRow, type ZipNotice, filesFromDrop, useUploads } from "@/components/use-uploads";
import type { GalleryItem } from "@/lib/gallery-types";

/**
 * The upload button, the page-wide drop target and the upload queue panel.
 * Files go up three at a time in 4 MiB parts; each row shows its progress and,
 * when it fails, why. A ZIP archive is opened in the browser and each image in
 * it becomes its own row; the archive gets a notice line, not a row.
 */
export function Uploader({ maxBytes, onUploaded }: { maxBytes: number; onUploaded: (item: GalleryItem) => void }) {
  const { rows, notices, announcement, summary, busy, addFiles, cancel, clearFinished } = useUploads({ maxBytes, onUploaded });
  const dragging = useWindowFileDrop(addFiles);
  const [collapsed, setCollapsed] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();
  const headingId = `${id}-heading`;
  const listId = `${id}-list`;
  const finished = rows.length - summary.active + notices.filter((notice) => notice.state === "opened").length;

  const onCancel = (row: { id: string }, button: HTMLButtonElement) => {
    // Keep keyboard focus nearby when the row (and its button) disappears.
    const item = button.closest("li");
    const sibling = item?.nextElementSibling ?? item?.previousElementSibling;
    const next =
      item?.nextElementSibling?.querySelector<HTMLButtonElement>("button[data-cancel]") ??
      item?.previousElementSibling?.querySelector<HTMLButtonElement>("button[data-cancel]");
    cancel(row.id);
    if (next) next.focus();
    else if (sibling) headingRef.current?.focus();
    else inputRef.current?.focus();
  };

  const onClearFinished = () => {
    const remaining = summary.active > 0;
    clearFinished();
    if (remaining) headingRef.current?.focus();
    else inputRef.current?.focus();
  };

  return (
    <>
      <label className="relative inline-flex cursor-pointer select-none items-center gap-2 rounded-md bg-sky-600 px-4 py-2 font-medium text-white shadow-sm hover:bg-sky-700 active:bg-sky-800 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-sky-500">
        <input
          ref={inputRef}
          type="file"
          multiple
          accept="image/*,.zip,application/zip,application/x-zip-compressed"
          className="sr-only"
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? []);
            event.currentTarget.value = ""; // choosing the same file again fires change again
            addFiles(files);
          }}
        />
        <UploadIcon />
        Upload images
      </label>

      {dragging ? (
        <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-sky-950/40 p-6 backdrop-blur-sm">
          <div className="flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-sky-400 bg-white/95 px-12 py-10 text-center shadow-2xl dark:bg-zinc-900/95">
            <UploadIcon className="size-10 text-sky-600 dark:text-sky-400" />
            <p className="text-xl font-semibold">Drop images to upload</p>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Folders and ZIP archives work too · up to {formatBytes(maxBytes)} each</p>
          </div>
        </div>
      ) : null}

      <div className="fixed inset-x-2 bottom-2 z-40 flex flex-col items-stretch gap-2 sm:inset-x-auto sm:right-4 sm:bottom-4 sm:w-96">
        {rows.length > 0 || notices.length > 0 ? (
          <section
            aria-labelledby={headingId}
            className="flex max-h-[70vh] flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white text-zinc-900 shadow-xl dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
          >
            <div className="flex items-center gap-2 border-b border-zinc-200 px-4 py-2.5 dark:border-zinc-700">
              <h2 id={headingId} ref={headingRef} tabIndex={-1} className="text-sm font-semibold focus:outline-none focus-visible:outline-2">
                Uploads
              </h2>
              <button
                type="button"
                onClick={onClearFinished}
                disabled={finished === 0}
                className="ml-auto rounded px-2 py-1 text-xs font-medium text-sky-700 hover:bg-sky-50 disabled:cursor-not-allowed disabled:text-zinc-400 disabled:hover:bg-transparent dark:text-sky-400 dark:hover:bg-zinc-800 dark:disabled:text-zinc-600"
              >
                Clear finished
              </button>
              <button
                type="button"
                onClick={() => setCollapsed((c) => !c)}
                aria-expanded={!collapsed}
                aria-controls={listId}
                aria-label={collapsed ? "Show upload list" : "Hide upload list"}
                className="rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
              >
                <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={`size-4 transition-transform ${collapsed ? "rotate-180" : ""}`}>
                  <path fillRule="evenodd" d="M5.22 7.22a.75.75 0 0 1 1.06 0L10 10.94l3.72-3.72a.75.75 0 1 1 1.06 1.06l-4.25 4.25a.75.75 0 0 1-1.06 0L5.22 8.28a.75.75 0 0 1 0-1.06Z" clipRule="evenodd" />
                </svg>
              </button>
            </div>

            <div className="border-b border-zinc-200 px-4 py-2.5 dark:border-zinc-700">
              <p className="mb-1.5 text-xs tabular-nums text-zinc-600 dark:text-zinc-400">{summary.text}</p>
              <Bar
                label="Overall upload progress"
                value={summary.percent}
                valueText={summary.text}
                tone={busy ? "active" : summary.failed > 0 && summary.done === 0 ? "error" : "done"}
              />
            </div>

            <ul id={listId} hidden={collapsed} aria-label="Files" className="min-h-0 flex-1 divide-y divide-zinc-100 overflow-y-auto dark:divide-zinc-800">
              {notices.map((notice) => (
                <Notice key={notice.id} notice={notice} onCancel={onCancel} />
              ))}
              {rows.map((row) => (
                <Row key={row.id} row={row} onCancel={onCancel} />
              ))}
            </ul>
          </section>
        ) : null}

        <p
          role="status"
          aria-live="polite"
          className={
            announcement
              ? "rounded-lg border border-zinc-200 bg-white px-4 py-2 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
              : "sr-only"
          }
        >
          {announcement}
        </p>
      </div>
    </>
  );
}

/** A line about a ZIP archive: being opened (cancellable), then how many images it holds. */
function Notice({ notice, onCancel }: { notice: ZipNotice; onCancel: (notice: ZipNotice, button: HTMLButtonElement) => void }) {
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

function Row({ row, onCancel }: { row: UploadRow; onCancel: (row: UploadRow, button: HTMLButtonElement) => void }) {
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
        <Bar
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
    </li>
  );
}

const TONES = {
  active: "bg-sky-600 dark:bg-sky-500",
  done: "bg-emerald-600 dark:bg-emerald-500",
  error: "bg-red-600 dark:bg-red-500",
} as const;

function Bar({
  label,
  value,
  valueText,
  tone,
  indeterminate = false,
}: {
  label: string;
  value: number;
  valueText: string;
  tone: keyof typeof TONES;
  indeterminate?: boolean;
}) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={valueText}
      className="h-1.5 min-w-0 flex-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
    >
      <div
        className={`h-full rounded-full transition-[width] duration-200 ease-out motion-reduce:transition-none ${TONES[tone]} ${
          indeterminate ? "animate-pulse" : ""
        }`}
        style={{ width: `${Math.max(0, Math.min(100, value))}%` }}
      />
    </div>
  );
}

function UploadIcon({ className = "size-5" }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={className}>
      <path d="M9.25 13.25a.75.75 0 0 0 1.5 0V4.636l2.955 3.129a.75.75 0 0 0 1.09-1.03l-4.25-4.5a.75.75 0 0 0-1.09 0l-4.25 4.5a.75.75 0 1 0 1.09 1.03L9.25 4.636v8.614Z" />
      <path d="M3.5 12.75a.75.75 0 0 0-1.5 0v2.5A2.75 2.75 0 0 0 4.75 18h10.5A2.75 2.75 0 0 0 18 15.25v-2.5a.75.75 0 0 0-1.5 0v2.5c0 .69-.56 1.25-1.25 1.25H4.75c-.69 0-1.25-.56-1.25-1.25v-2.5Z" />
    </svg>
  );
}

/**
 * True while files from outside the page are dragged over the window; a drop
 * anywhere hands them (folders walked) to `onFiles`. Drags that start inside
 * the page (a thumbnail, selected text) are ignored.
 */
function useWindowFileDrop(onFiles: (files: File[]) => void): boolean {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    let internal = false;
    const carriesFiles = (event: DragEvent) =>
      !internal && event.dataTransfer !== null && Array.from(event.dataTransfer.types).includes("Files");
    const reset = () => {
      depth = 0;
      setDragging(false);
    };

    const onDragStart = () => {
      internal = true;
    };
    const onDragEnd = () => {
      internal = false;
      reset();
    };
    const onDragEnter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
      setDragging(true);
    };
    const onDragOver = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault(); // allows the drop (and stops the browser opening the file)
      event.dataTransfer!.dropEffect = "copy";
    };
    const onDragLeave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      const external = carriesFiles(event);
      internal = false;
      reset();
      if (!external) return;
      event.preventDefault();
      void filesFromDrop(event.dataTransfer!).then((files) => {
        if (files.length > 0) onFiles(files);
      });
    };

    window.addEventListener("dragstart", onDragStart);
    window.addEventListener("dragend", onDragEnd);
    window.addEventListener("dragenter", onDragEnter);
    window.addEventListener("dragover", onDragOver);
    window.addEventListener("dragleave", onDragLeave);
    window.addEventListener("drop", onDrop);
    return () => {
      window.removeEventListener("dragstart", onDragStart);
      window.removeEventListener("dragend", onDragEnd);
      window.removeEventListener("dragenter", onDragEnter);
      window.removeEventListener("dragover", onDragOver);
      window.removeEventListener("dragleave", onDragLeave);
      window.removeEventListener("drop", onDrop);
    };
  }, [onFiles]);

  return dragging;
}
