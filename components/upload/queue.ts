// Framework-free pieces of the uploader: a concurrency pool, retry with
// backoff, part slicing, folder walking and the words and numbers the queue
// shows. Nothing here touches React, XMLHttpRequest or the DOM, so it runs in
// Node under Vitest.

import { formatBytes, plural } from "@/components/format";

/** Files uploaded at the same time; the rest wait in the queue. */
export const CONCURRENCY = 3;
/** Waits before the 1st, 2nd and 3rd retry of a failed part. */
export const RETRY_DELAYS_MS = [500, 1000, 2000] as const;
/** Parts of one file on the wire at once: the next is sent while the server stores the last (UploadEngine.sendParts). */
export const PART_CONCURRENCY = 2;

export const PART_RETRIES = RETRY_DELAYS_MS.length;
/** The longest a server's Retry-After may stretch one wait. */
export const MAX_RETRY_DELAY_MS = 10_000;
export const NETWORK_ERROR_MESSAGE = "Network error — the upload could not be completed.";
export const EMPTY_FILE_MESSAGE = "This file is empty.";

export type UploadStatus = "queued" | "uploading" | "processing" | "done" | "error";

// ---------------------------------------------------------------- aborting

export function abortError(): Error {
  return new DOMException("The upload was cancelled.", "AbortError");
}

export function isAbortError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "AbortError";
}

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// ---------------------------------------------------------------- pool

export type Pool = {
  /**
   * Runs `task` once fewer than `limit` tasks are running. A task still waiting
   * when `signal` aborts leaves the queue and its promise rejects with an AbortError.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly active: number;
  readonly pending: number;
};

export function createPool(limit: number): Pool {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be a positive integer");
  let active = 0;
  const queue: Array<() => void> = [];

  const next = () => {
    while (active < limit && queue.length > 0) queue.shift()!();
  };

  return {
    run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError());
        const start = () => {
          signal?.removeEventListener("abort", onAbort);
          active++;
          let result: Promise<T>;
          try {
            result = task();
          } catch (err) {
            result = Promise.reject(err);
          }
          result.then(resolve, reject).finally(() => {
            active--;
            next();
          });
        };
        const onAbort = () => {
          const at = queue.indexOf(start);
          if (at >= 0) {
            queue.splice(at, 1);
            reject(abortError());
          }
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(start);
        next();
      });
    },
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
  };
}

// ---------------------------------------------------------------- retry

export type RetryOptions = {
  /** Attempts after the first. */
  retries: number;
  shouldRetry: (err: unknown) => boolean;
  /** Wait before retry number `retry` (0-based). */
  delayMs: (retry: number, err: unknown) => number;
  signal?: AbortSignal;
  onRetry?: (retry: number, err: unknown, delayMs: number) => void;
  /** Injected by tests; defaults to a real, abortable timer. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/** Calls `fn` until it resolves, the error is final, the retries run out or `signal` aborts. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const wait = opts.wait ?? sleep;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw abortError();
    try {
      return await fn(attempt);
    } catch (err) {
      if (isAbortError(err) || opts.signal?.aborted) throw isAbortError(err) ? err : abortError();
      if (attempt >= opts.retries || !opts.shouldRetry(err)) throw err;
      const delay = opts.delayMs(attempt, err);
      opts.onRetry?.(attempt, err, delay);
      await wait(delay, opts.signal);
    }
  }
}

/** 0.5 s, 1 s, 2 s, … */
export function backoffDelay(retry: number): number {
  return RETRY_DELAYS_MS[retry] ?? RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1] * 2 ** (retry - RETRY_DELAYS_MS.length + 1);
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// ---------------------------------------------------------------- parts

export type PartRange = { index: number; start: number; end: number };

export function partCount(size: number, partSize: number): number {
  if (!(partSize > 0)) throw new RangeError("partSize must be positive");
  return size <= 0 ? 0 : Math.ceil(size / partSize);
}

/** Byte ranges of each part, for `file.slice(start, end)`; the last one may be short. */
export function partRanges(size: number, partSize: number): PartRange[] {
  const count = partCount(size, partSize);
  const out: PartRange[] = [];
  for (let index = 0; index < count; index++) {
    const start = index * partSize;
    out.push({ index, start, end: Math.min(size, start + partSize) });
  }
  return out;
}

/** How a part request failed. `status` is absent for network errors and timeouts. */
export type PartFailure = { status?: number; code?: string; message?: string; retryAfterMs?: number };

export class PartError extends Error {
  readonly failure: PartFailure;
  constructor(failure: PartFailure) {
    super(failure.message ?? (failure.status ? `HTTP ${failure.status}` : "Network error"));
    this.name = "PartError";
    this.failure = failure;
  }
}

/** Network errors, timeouts, 408, 429 and 5xx are worth another try; other answers are final. */
export function isRetryableFailure(failure: PartFailure): boolean {
  const { status } = failure;
  if (status === undefined || status === 0) return true;
  return status === 408 || status === 429 || status >= 500;
}

export function isRetryablePartError(err: unknown): boolean {
  return err instanceof PartError && isRetryableFailure(err.failure);
}

/** Shown on a row while its part waits for the database to come back. */
export const STORAGE_RETRYING_MESSAGE = "Storage unavailable, retrying…";
/**
 * Extra tries when the server says its storage is unavailable (503): a database
 * restart takes longer than a network blip, so the upload waits about two minutes
 * (waits capped at MAX_RETRY_DELAY_MS) before it gives up.
 */
export const UNAVAILABLE_RETRIES = 14;

export function isUnavailablePartError(err: unknown): boolean {
  return err instanceof PartError && (err.failure.code === "unavailable" || err.failure.status === 503);
}

export function partRetryDelay(retry: number, err: unknown): number {
  const base = backoffDelay(retry);
  const hinted = err instanceof PartError ? err.failure.retryAfterMs : undefined;
  return hinted === undefined ? base : Math.max(base, Math.min(hinted, MAX_RETRY_DELAY_MS));
}

/** Reads an ApiError body ({ code, message }); anything else yields nothing. */
export function parseApiError(body: string | null | undefined): { code?: string; message?: string } {
  if (!body) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null) return {};
    const { code, message } = parsed as { code?: unknown; message?: unknown };
    return {
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" && message.trim() ? message : undefined,
    };
  } catch {
    return {};
  }
}

/** What to show for a file whose part failed for good. */
export function partFailureMessage(err: unknown): string {
  if (!(err instanceof PartError)) return NETWORK_ERROR_MESSAGE;
  const { status, message } = err.failure;
  if (message) return message;
  if (status === undefined || isRetryableFailure(err.failure)) return NETWORK_ERROR_MESSAGE;
  return `The server refused the upload (HTTP ${status}).`;
}

// ---------------------------------------------------------------- numbers and words

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

// ---------------------------------------------------------------- dropped folders

const JUNK_NAMES = new Set(["thumbs.db", "desktop.ini", "__macosx"]);

/** Dotfiles (.DS_Store, ._photo.jpg, .git) and OS litter are never uploaded. */
export function isHiddenName(name: string): boolean {
  return name.startsWith(".") || JUNK_NAMES.has(name.toLowerCase());
}

/** A file inside a dropped folder whose browser-reported type is known and not an image. */
export function isKnownNonImage(type: string): boolean {
  return type !== "" && !type.startsWith("image/");
}

/**
 * The parts of FileSystemEntry the walker uses, typed loosely so tests can
 * pass plain objects; the browser's FileSystemFileEntry and
 * FileSystemDirectoryEntry fit.
 */
export type EntryLike<F> = {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?: (success: (file: F) => void, failure?: (err: unknown) => void) => void;
  createReader?: () => {
    readEntries: (success: (entries: EntryLike<F>[]) => void, failure?: (err: unknown) => void) => void;
  };
};

function readFile<F>(entry: EntryLike<F>): Promise<F> {
  return new Promise((resolve, reject) => entry.file!(resolve, reject));
}

/** Every file below the given entries, depth first. Unreadable files and folders are skipped. */
export async function collectFiles<F>(
  entries: readonly EntryLike<F>[],
  keep: (file: F, name: string) => boolean = () => true,
): Promise<F[]> {
  const out: F[] = [];
  const visit = async (entry: EntryLike<F>): Promise<void> => {
    if (isHiddenName(entry.name)) return;
    if (entry.isFile && entry.file) {
      try {
        const file = await readFile(entry);
        if (keep(file, entry.name)) out.push(file);
      } catch {
        // a file that vanished or cannot be read is left out
      }
    } else if (entry.isDirectory && entry.createReader) {
      const reader = entry.createReader();
      // readEntries answers in batches (100 in Chromium) until it answers with none.
      for (;;) {
        let batch: EntryLike<F>[];
        try {
          batch = await new Promise<EntryLike<F>[]>((resolve, reject) => reader.readEntries(resolve, reject));
        } catch {
          break;
        }
        if (batch.length === 0) break;
        for (const child of batch) await visit(child);
      }
    }
  };
  for (const entry of entries) await visit(entry);
  return out;
}
