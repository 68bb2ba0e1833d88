// What the upload panel says and shows: each row's status line and bar, the
// queue's summary, the sentence when a batch ends, and the messages for files
// refused before anything is sent.

import { formatBytes, plural } from "@/components/format";

export const NETWORK_ERROR_MESSAGE = "Network error — the upload could not be completed.";
export const EMPTY_FILE_MESSAGE = "This file is empty.";

export type UploadStatus = "queued" | "uploading" | "processing" | "done" | "error";

const MiB = 1024 * 1024;

function megabytes(bytes: number, round: (n: number) => number): string {
  const n = round((bytes / MiB) * 10) / 10;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** "Too large (120.5 MB; the limit is 100 MB)." The size rounds up, so it never reads as the limit. */
export function tooLargeMessage(size: number, maxBytes: number): string {
  return `Too large (${megabytes(size, Math.ceil)} MB; the limit is ${megabytes(maxBytes, Math.floor)} MB).`;
}

/** Whole percent, 0–100; never 100 before every byte is in. */
export function percent(loaded: number, total: number): number {
  if (!(total > 0)) return 0;
  if (loaded >= total) return 100;
  return Math.max(0, Math.min(99, Math.floor((loaded / total) * 100)));
}

/** The live-region sentence when a batch ends: "Uploaded 9 images; 1 failed." */
export function batchMessage(done: number, failed: number): string {
  return `Uploaded ${plural(done, "image")}${failed > 0 ? `; ${failed} failed` : ""}.`;
}

export type RowLike = { status: UploadStatus; size: number; loaded: number; note?: string };

export type QueueSummary = {
  total: number;
  done: number;
  failed: number;
  /** Queued, uploading or processing. */
  active: number;
  /** Bytes sent: whole files once done or processing, what was sent of a failed one before it failed. */
  bytesLoaded: number;
  /** Bytes of every file in the batch, failed ones included: the total never shrinks when a file fails. */
  bytesTotal: number;
  percent: number;
  /** "3 of 10 done · 1 failed · 12.4 MB of 40.1 MB" */
  text: string;
};

export function summarize(rows: readonly RowLike[]): QueueSummary {
  let done = 0;
  let failed = 0;
  let bytesLoaded = 0;
  let bytesTotal = 0;
  for (const row of rows) {
    bytesTotal += row.size;
    if (row.status === "error") {
      failed++;
      bytesLoaded += Math.min(row.loaded, row.size);
    } else if (row.status === "done") {
      done++;
      bytesLoaded += row.size;
    } else if (row.status === "processing") {
      bytesLoaded += row.size;
    } else if (row.status === "uploading") {
      bytesLoaded += Math.min(row.loaded, row.size);
    }
  }
  const total = rows.length;
  const parts = [`${done} of ${total} done`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (bytesTotal > 0) parts.push(`${formatBytes(bytesLoaded)} of ${formatBytes(bytesTotal)}`);
  return {
    total,
    done,
    failed,
    active: total - done - failed,
    bytesLoaded,
    bytesTotal,
    percent: total > 0 && bytesTotal === 0 ? 100 : percent(bytesLoaded, bytesTotal),
    text: parts.join(" · "),
  };
}

/** Percent of a file's bytes sent; 99 at most until the server has answered for the last part. */
export function uploadingPercent(row: RowLike): number {
  return Math.min(99, percent(row.loaded, row.size));
}

/** The progress bar value of one row. */
export function rowPercent(row: RowLike): number {
  switch (row.status) {
    case "done":
    case "processing":
      return 100;
    case "uploading":
      return uploadingPercent(row);
    default:
      return percent(row.loaded, row.size);
  }
}

/** The status line of one row. */
export function statusText(row: RowLike & { error?: string }): string {
  switch (row.status) {
    case "queued":
      return "Queued";
    case "uploading":
      return row.note ? `${row.note} (${uploadingPercent(row)}%)` : `Uploading ${uploadingPercent(row)}%`;
    case "processing":
      return "Processing…";
    case "done":
      return "Done";
    case "error":
      return row.error ?? NETWORK_ERROR_MESSAGE;
  }
}
