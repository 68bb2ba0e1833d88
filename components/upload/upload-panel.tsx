"use client";

import { useEffect, useId, useRef, useState } from "react";

import { plural } from "@/components/format";
import { ChevronIcon, Spinner } from "@/components/icons";
import { ProgressBar, type Tone } from "@/components/upload/progress-bar";
import { UploadRowItem, ZipNoticeItem } from "@/components/upload/upload-rows";
import type { Uploads } from "@/components/upload/use-uploads";

const AUTO_CLOSE_MS = 6_000;

/**
 * The upload queue as a small chip in the corner (progress, then a green
 * "done" or a red count of failures), which opens into the list of files. A
 * batch that went up without failures closes by itself after a few seconds,
 * unless the pointer or focus is on it.
 */
export function UploadPanel({ uploads, onEmpty }: { uploads: Uploads; onEmpty: () => void }) {
  const { rows, notices, announcement, summary, busy, cancel, clearFinished } = uploads;
  const [expanded, setExpanded] = useState(false);
  const [engaged, setEngaged] = useState(false);
  const panelRef = useRef<HTMLElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();
  const listId = `${id}-list`;
  const visible = rows.length > 0 || notices.length > 0;
  const failed = summary.failed;
  const finished = rows.length - summary.active + notices.filter((notice) => notice.state === "opened").length;
  const tone: Tone = failed > 0 && !busy ? "error" : busy ? "active" : "done";

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
            <ProgressBar label="Overall upload progress" value={summary.percent} valueText={summary.text} tone={tone} />
          </div>

          <ul id={listId} hidden={!expanded} aria-label="Files" tabIndex={0} className="focus-visible:outline-offset-[-2px] min-h-0 flex-1 divide-y divide-zinc-100 overflow-y-auto border-t border-zinc-200 dark:divide-zinc-800 dark:border-zinc-700">
            {notices.map((notice) => (
              <ZipNoticeItem key={notice.id} notice={notice} onCancel={onCancel} />
            ))}
            {rows.map((row) => (
              <UploadRowItem key={row.id} row={row} onCancel={onCancel} />
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
