"use client";

import { useEffect, useId, useRef, useState } from "react";

import { formatBytes, plural } from "@/components/format";
import { ChevronIcon, Spinner, UploadIcon } from "@/components/icons";
import { filesFromDrop } from "@/components/upload/dropped-files";
import { rowPercent, statusText } from "@/components/upload/progress";
import type { UploadRow, Uploads, ZipNotice } from "@/components/upload/use-uploads";

/**
 * The upload button, the page-wide drop target and the upload queue. Files go
 * up three at a time in 4 MiB parts; each row shows its progress and, when it
 * fails, why. A ZIP archive is opened in the browser and each image in it
 * becomes its own row; the archive gets a notice line, not a row. The queue
 * itself (useUploads) belongs to the page, so shared files can join it too.
 */
export function Uploader({ uploads, maxBytes }: { uploads: Uploads; maxBytes: number }) {
  const { rows, notices, announcement, summary, busy, addFiles, cancel, clearFinished } = uploads;
  const dragging = useWindowFileDrop(addFiles);
  const inputRef = useRef<HTMLInputElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  return (
    <>
      <input
        ref={inputRef}
        type="file"
        multiple
        tabIndex={-1}
        aria-label="Upload images"
        accept="image/*,.zip,application/zip,application/x-zip-compressed"
        className="sr-only"
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = ""; // choosing the same file again fires change again
          addFiles(files);
        }}
      />
      {/* A real button: Enter and Space both open the file chooser. */}
      <button
        ref={buttonRef}
        type="button"
        onClick={() => inputRef.current?.click()}
        className="inline-flex shrink-0 items-center gap-2 rounded-md bg-sky-700 px-3 py-2 font-medium text-white shadow-sm select-none hover:bg-sky-800 active:bg-sky-900 sm:px-4"
      >
        <UploadIcon />
        Upload images
      </button>

      {dragging ? (
        <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-sky-950/40 p-6 backdrop-blur-sm">
          <div className="flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-sky-400 bg-white/95 px-12 py-10 text-center shadow-2xl dark:bg-zinc-900/95">
            <UploadIcon className="size-10 text-sky-600 dark:text-sky-400" />
            <p className="text-xl font-semibold">Drop images to upload</p>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Folders and ZIP archives work too · up to {formatBytes(maxBytes)} each</p>
          </div>
        </div>
      ) : null}

      <UploadPanel
        rows={rows}
        notices={notices}
        announcement={announcement}
        summary={summary}
        busy={busy}
        cancel={cancel}
        clearFinished={clearFinished}
        onEmpty={() => buttonRef.current?.focus()}
      />
    </>
  );
}

const AUTO_CLOSE_MS = 6_000;

/**
 * The upload queue as a small chip in the corner (progress, then a green
 * "done" or a red count of failures), which opens into the list of files. A
 * batch that went up without failures closes by itself after a few seconds,
 * unless the pointer or focus is on it.
 */
function UploadPanel({
  rows,
  notices,
  announcement,
  summary,
  busy,
  cancel,
  clearFinished,
  onEmpty,
}: Pick<Uploads, "rows" | "notices" | "announcement" | "summary" | "busy" | "cancel" | "clearFinished"> & { onEmpty: () => void }) {
  const [expanded, setExpanded] = useState(false);
  const [engaged, setEngaged] = useState(false);
  const panelRef = useRef<HTMLElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();
  const listId = `${id}-list`;
  const visible = rows.length > 0 || notices.length > 0;
  const failed = summary.failed;
  const finished = rows.length - summary.active + notices.filter((notice) => notice.state === "opened").length;
  const tone: keyof typeof TONES = failed > 0 && !busy ? "error" : busy ? "active" : "done";

  // A clean batch closes by itself; one that found files already in the library stays to say so.
  const noted = rows.some((row) => row.duplicateOf);
  useEffect(() => {
    if (!visible || busy || failed > 0 || engaged || noted) return;
    const timer = setTimeout(() => {
      if (panelRef.current?.matches(":hover, :focus-within")) return;
      setExpanded(false);
      clearFinished();
    }, AUTO_CLOSE_MS);
    return () => clearTimeout(timer);
  }, [visible, busy, failed, engaged, noted, clearFinished]);

  const onCancel = (row: { id: string }, button: HTMLButtonElement) => {
    // Keep keyboard focus nearby when the row (and its button) disappears.
    const item = button.closest("li");
    const next =
      item?.nextElementSibling?.querySelector<HTMLButtonElement>("button[data-cancel]") ??
      item?.previousElementSibling?.querySelector<HTMLButtonElement>("button[data-cancel]");
    cancel(row.id);
    if (next) next.focus();
    else headingRef.current?.focus();
  };

  const dismiss = () => {
    const remaining = summary.active > 0;
    clearFinished();
    if (remaining) headingRef.current?.focus();
    else {
      setExpanded(false);
      onEmpty();
    }
  };

  return (
    <div className="pointer-events-none fixed right-2 bottom-[4.75rem] left-2 z-40 flex flex-col items-end gap-2 sm:right-4 sm:bottom-4 sm:left-auto">
      {visible ? (
        <section
          ref={panelRef}
          aria-labelledby={`${id}-heading`}
          data-testid="upload-panel"
          data-state={tone}
          onPointerEnter={() => setEngaged(true)}
          onPointerLeave={() => setEngaged(false)}
          className={`pointer-events-auto flex max-h-[50vh] w-full flex-col overflow-hidden rounded-xl border bg-white text-zinc-900 shadow-xl sm:max-h-[60vh] sm:w-96 dark:bg-zinc-900 dark:text-zinc-100 ${
            tone === "error" ? "border-red-300 dark:border-red-800" : "border-zinc-200 dark:border-zinc-700"
          } ${expanded ? "" : "sm:w-80"}`}
        >
          <div className="flex items-center gap-2 px-3 py-2">
            <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="sr-only">
              Uploads
            </h2>
            <button
              type="button"
              onClick={() => setExpanded((e) => !e)}
              aria-expanded={expanded}
              aria-controls={listId}
              className="flex min-w-0 flex-1 items-center gap-2 rounded-md px-1 py-1 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800"
            >
              <span
                className={`flex size-7 shrink-0 items-center justify-center rounded-full text-xs font-bold text-white ${
                  tone === "error" ? "bg-red-700" : tone === "done" ? "bg-emerald-700" : "bg-sky-700"
                }`}
                aria-hidden="true"
              >
                {tone === "error" ? failed : tone === "done" ? "✓" : <Spinner className="size-4" />}
              </span>
              <span className="min-w-0 flex-1">
                <span className="block truncate text-sm font-medium">
                  {busy ? "Uploading…" : failed > 0 ? `${plural(failed, "upload")} failed` : "All uploaded"}
                  <span className="sr-only">{expanded ? ", hide the list" : ", show the list"}</span>
                </span>
                <span className="block truncate text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{summary.text}</span>
                {noted && !busy ? <span className="block truncate text-xs text-amber-800 dark:text-amber-300">Already in your library: see the list</span> : null}
              </span>
              <ChevronIcon direction={expanded ? "down" : "up"} className="size-4 shrink-0 text-zinc-500" />
            </button>
            {!busy ? (
              <button
                type="button"
                onClick={dismiss}
                disabled={finished === 0}
                className="shrink-0 rounded px-2 py-1 text-xs font-medium text-sky-800 hover:bg-sky-50 disabled:opacity-50 dark:text-sky-300 dark:hover:bg-zinc-800"
              >
                {failed > 0 ? "Dismiss" : "Clear finished"}
              </button>
            ) : null}
          </div>
          <div className="px-3 pb-2">
            <Bar label="Overall upload progress" value={summary.percent} valueText={summary.text} tone={tone} />
          </div>

          <ul id={listId} hidden={!expanded} aria-label="Files" tabIndex={0} className="focus-visible:outline-offset-[-2px] min-h-0 flex-1 divide-y divide-zinc-100 overflow-y-auto border-t border-zinc-200 dark:divide-zinc-800 dark:border-zinc-700">
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
          announcement && visible
            ? `pointer-events-auto rounded-lg border bg-white px-3 py-1.5 text-sm shadow-lg dark:bg-zinc-900 ${
                failed > 0 ? "border-red-300 text-red-800 dark:border-red-800 dark:text-red-300" : "border-zinc-200 dark:border-zinc-700"
              }`
            : "sr-only"
        }
      >
        {announcement}
      </p>
    </div>
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
