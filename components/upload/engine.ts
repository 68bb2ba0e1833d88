// The upload queue, with no React and no network code of its own: files wait
// in a pool of CONCURRENCY; each one runs begin → parts (in order, each
// retried) → complete through an UploadTransport. The browser's transport is
// components/upload/xhr-transport.ts; the unit tests pass an in-process one.
// React reads the engine through useSyncExternalStore (use-uploads.ts).

import { BEGIN_HEAD_BYTES } from "@/lib/schemas";
import { abortError, isAbortError } from "@/components/upload/abort";
import {
  MAX_RETRY_DELAY_MS,
  PartError,
  STORAGE_RETRYING_MESSAGE,
  UNAVAILABLE_RETRIES,
  isRetryablePartError,
  isUnavailablePartError,
  partFailureMessage,
  partRanges,
  partRetryDelay,
} from "@/components/upload/parts";
import { EMPTY_FILE_MESSAGE, NETWORK_ERROR_MESSAGE, type UploadStatus, batchMessage, tooLargeMessage } from "@/components/upload/progress";
import { CONCURRENCY, PART_CONCURRENCY, createPool } from "@/components/upload/queue";
import { PART_RETRIES, backoffDelay, withRetry } from "@/components/upload/retry";
import {
  EXTRACT_FAILED_MESSAGE,
  MAX_ZIP_BYTES,
  NO_IMAGES_MESSAGE,
  type ZipImage,
  isZipByName,
  listZipImages,
  startsLikeZip,
  zipFoundText,
  zipTooLargeMessage,
  zipUnreadableMessage,
} from "@/components/upload/zip-import";
import type { BeginUploadResult, GalleryItem } from "@/lib/gallery-types";

export type { UploadStatus } from "@/components/upload/progress";

export type UploadRow = {
  id: string;
  name: string;
  size: number;
  status: UploadStatus;
  /** Bytes the server has acknowledged or is receiving. */
  loaded: number;
  /** Shown instead of the status when `status` is "error". */
  error?: string;
  /** Shown with the progress while a part waits to be retried (the storage is unavailable). */
  note?: string;
  /** Done, and the same file was already in the library: that image's id. */
  duplicateOf?: string;
  /** "Skip duplicates" was on: nothing new was stored. */
  skipped?: boolean;
};

/**
 * A line about a ZIP archive, shown above the upload rows: "trip.zip: opening…",
 * then "trip.zip: 3 images found". The archive itself is never an upload row;
 * when it cannot be used it becomes an error row instead.
 */
export type ZipNotice = { id: string; name: string; state: "opening" | "opened"; text: string };

export type UploadsSnapshot = { rows: readonly UploadRow[]; notices: readonly ZipNotice[]; announcement: string };

/** The subset of ActionState the uploader reads. */
export type ActionResult<T> =
  | { status: "idle" }
  | { status: "success"; data?: T; message?: string }
  | { status: "error"; code: string; message: string; fieldErrors?: Record<string, string[]> };

/**
 * How the engine reaches the server. The browser's is the server actions plus
 * XHR part PUTs (xhr-transport.ts); tests implement it in process.
 * `putPart` reports bytes sent through `onProgress` and rejects with a
 * PartError on failure, or an AbortError once `signal` aborts.
 */
export type UploadTransport = {
  begin(input: { name: string; size: number; head?: string }): Promise<ActionResult<BeginUploadResult>>;
  putPart(uploadId: string, index: number, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void>;
  complete(uploadId: string): Promise<ActionResult<GalleryItem>>;
  abort(uploadId: string): Promise<unknown>;
};

/** A part with no progress for this long is abandoned and retried like a network error. */
export const STALL_MS = 60_000;
/** Progress events are folded into one render at most this often. */
const PROGRESS_FLUSH_MS = 100;

function actionMessage(state: ActionResult<unknown>): string {
  if (state.status !== "error") return NETWORK_ERROR_MESSAGE;
  const field = state.fieldErrors && Object.values(state.fieldErrors).flat()[0];
  return field || state.message || NETWORK_ERROR_MESSAGE;
}

/**
 * What one upload reads: a picked file, or an image inside a ZIP archive that
 * is extracted only when its upload starts (so an archive's images are not
 * all held in memory at once).
 */
type Source = {
  name: string;
  /** Known up front for files; for archive entries the size the archive states, or null. */
  size: number | null;
  open: () => Promise<Blob>;
  /** Shown when open() fails. */
  openError: string;
};

const fileSource = (file: File): Source => ({ name: file.name, size: file.size, open: async () => file, openError: NETWORK_ERROR_MESSAGE });

const zipImageSource = (image: ZipImage): Source => ({
  name: image.name,
  size: image.size,
  open: image.extract,
  openError: EXTRACT_FAILED_MESSAGE,
});

type Job = {
  id: string;
  source: Source;
  controller: AbortController;
  phase: "queued" | "uploading" | "processing" | "settled";
};

export type EngineOptions = { maxBytes: number; onUploaded: (item: GalleryItem) => void };
/** Timing knobs, for tests. */
export type EngineTuning = { stallMs?: number; retryDelayMs?: (retry: number, err: unknown) => number };

let nextId = 0;

const ACTIVE: ReadonlySet<UploadStatus> = new Set(["queued", "uploading", "processing"]);
export const isActive = (row: UploadRow) => ACTIVE.has(row.status);

/**
 * The upload queue outside React: files wait in a pool of CONCURRENCY; each
 * one runs begin → parts (one at a time, part 0 first, retried) → complete.
 * React reads it through useSyncExternalStore.
 */
export class UploadEngine {
  private state: UploadsSnapshot = { rows: [], notices: [], announcement: "" };
  private readonly listeners = new Set<() => void>();
  private readonly jobs = new Map<string, Job>();
  /** ZIP archives being opened, by notice id; aborting one drops its result. */
  private readonly opening = new Map<string, AbortController>();
  /** Bumped by abortAll(), so files still being sniffed are dropped. */
  private generation = 0;
  private readonly pool = createPool(CONCURRENCY);
  private readonly pendingProgress = new Map<string, number>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** Jobs added and not yet finished, cancelled or failed, plus files still being sniffed or opened as archives. */
  private unsettled = 0;
  private batch = { done: 0, failed: 0 };
  private options: EngineOptions;
  private readonly transport: UploadTransport;
  private readonly stallMs: number;
  private readonly beginDelay: (retry: number, err: unknown) => number;
  private readonly partDelay: (retry: number, err: unknown) => number;

  constructor(options: EngineOptions, transport: UploadTransport, tuning: EngineTuning = {}) {
    this.options = options;
    this.transport = transport;
    this.stallMs = tuning.stallMs ?? STALL_MS;
    this.beginDelay = tuning.retryDelayMs ?? backoffDelay;
    this.partDelay = tuning.retryDelayMs ?? partRetryDelay;
  }

  configure(options: EngineOptions) {
    this.options = options;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): UploadsSnapshot => this.state;

  /**
   * Queues files; empty and over-size files fail at once without a request.
   * ZIP archives (by name, type, or for files the browser does not call
   * images, by their first bytes) are opened here and their images queued
   * one by one; the archive itself is never uploaded.
   */
  add = (files: readonly File[]) => {
    if (files.length === 0) return;
    if (this.unsettled === 0 && this.batch.done + this.batch.failed === 0) this.set({ announcement: "" });
    const plain: File[] = [];
    const unknown: File[] = [];
    for (const file of files) {
      if (isZipByName(file)) this.openZip(file);
      else if (file.type.startsWith("image/")) plain.push(file);
      else unknown.push(file);
    }
    this.enqueue(plain.map(fileSource));
    this.sniff(unknown);
    this.finishBatchIfIdle();
  };

  private enqueue(sources: readonly Source[]) {
    if (sources.length === 0) return;
    const added: UploadRow[] = [];
    const queued: Job[] = [];
    for (const source of sources) {
      const id = `upload-${++nextId}`;
      const size = source.size ?? 0;
      const row: UploadRow = { id, name: source.name, size, status: "queued", loaded: 0 };
      const rejection = source.size === null ? null : this.rejection(size);
      if (rejection) {
        added.push({ ...row, status: "error", error: rejection });
        this.batch.failed++;
        continue;
      }
      added.push(row);
      queued.push({ id, source, controller: new AbortController(), phase: "queued" });
    }
    // Rows first: a job may start (and update its row) synchronously below.
    this.set({ rows: [...this.state.rows, ...added] });
    for (const job of queued) {
      this.jobs.set(job.id, job);
      this.unsettled++;
      this.pool
        .run(() => this.run(job), job.controller.signal)
        .catch(() => {
          // run() reports its own failures; a job cancelled while queued lands here
        })
        .finally(() => {
          this.jobs.delete(job.id);
          this.unsettled--;
          this.finishBatchIfIdle();
        });
    }
    this.finishBatchIfIdle();
  }

  private rejection(size: number): string | null {
    if (size === 0) return EMPTY_FILE_MESSAGE;
    if (size > this.options.maxBytes) return tooLargeMessage(size, this.options.maxBytes);
    return null;
  }

  /** Files the browser does not call images (no type, octet-stream, …) may still be ZIP archives: read their first bytes. */
  private sniff(files: readonly File[]) {
    if (files.length === 0) return;
    const generation = this.generation;
    this.unsettled++;
    void Promise.all(files.map(startsLikeZip)).then((zips) => {
      this.unsettled--;
      if (generation !== this.generation) return; // abortAll() ran meanwhile
      const plain: File[] = [];
      files.forEach((file, i) => {
        if (zips[i]) this.openZip(file);
        else plain.push(file);
      });
      this.enqueue(plain.map(fileSource));
      this.finishBatchIfIdle();
    });
  }

  /** Lists the archive's images (in the browser; nothing of it is sent) and queues them. */
  private openZip(file: File) {
    const id = `zip-${++nextId}`;
    const fail = (message: string) => {
      this.batch.failed++;
      this.set({ rows: [...this.state.rows, { id, name: file.name, size: file.size, status: "error", loaded: 0, error: message }] });
    };
    if (file.size > MAX_ZIP_BYTES) return fail(zipTooLargeMessage(file.size));
    const controller = new AbortController();
    this.opening.set(id, controller);
    this.unsettled++;
    this.set({ notices: [...this.state.notices, { id, name: file.name, state: "opening", text: `${file.name}: opening…` }] });
    void listZipImages(file)
      .then(
        ({ images, skipped }) => {
          if (controller.signal.aborted) return;
          if (images.length === 0) {
            this.removeNotice(id);
            return fail(NO_IMAGES_MESSAGE);
          }
          const text = zipFoundText(file.name, images.length, skipped);
          this.set({
            notices: this.state.notices.map((notice) => (notice.id === id ? { ...notice, state: "opened", text } : notice)),
            announcement: `${text}.`,
          });
          this.enqueue(images.map(zipImageSource));
        },
        () => {
          if (controller.signal.aborted) return;
          this.removeNotice(id);
          fail(zipUnreadableMessage(file.name));
        },
      )
      .finally(() => {
        this.opening.delete(id);
        this.unsettled--;
        this.finishBatchIfIdle();
      });
  }

  private removeNotice(id: string) {
    this.set({ notices: this.state.notices.filter((notice) => notice.id !== id) });
  }

  /** Stops a queued or uploading file and removes its row; a file being processed can no longer be stopped. */
  cancel = (id: string) => {
    const opening = this.opening.get(id);
    if (opening) {
      // JSZip cannot be interrupted; its result is dropped when it arrives.
      opening.abort();
      this.removeNotice(id);
      return;
    }
    const job = this.jobs.get(id);
    if (!job || job.phase === "processing" || job.phase === "settled") return;
    job.controller.abort();
    this.pendingProgress.delete(id);
    this.set({ rows: this.state.rows.filter((row) => row.id !== id) });
  };

  /** Removes done and failed rows, and notices about archives already opened. */
  clearFinished = () => {
    this.set({
      rows: this.state.rows.filter(isActive),
      notices: this.state.notices.filter((notice) => notice.state === "opening"),
      announcement: "",
    });
  };

  /** Stops everything (the component unmounted); partial uploads are deleted on the server. */
  abortAll = () => {
    this.generation++;
    for (const controller of this.opening.values()) controller.abort();
    for (const job of this.jobs.values()) {
      if (job.phase !== "processing") job.controller.abort();
    }
  };

  private async run(job: Job): Promise<void> {
    const { id, source } = job;
    const { signal } = job.controller;
    let uploadId: string | undefined;
    /** Set once the server has the image; until then a failure or cancel aborts the upload. */
    let keep = false;
    try {
      job.phase = "uploading";
      this.patch(id, { status: "uploading", loaded: 0 });

      // For an archive entry this inflates the image now, one per running upload.
      let file: Blob;
      try {
        file = await source.open();
      } catch {
        if (signal.aborted) throw abortError();
        return this.fail(job, source.openError);
      }
      if (signal.aborted) throw abortError();
      if (source.size !== file.size) {
        const rejection = this.rejection(file.size);
        if (rejection) return this.fail(job, rejection);
        this.patch(id, { size: file.size });
      }

      // A thrown action is a network failure (the action itself returns errors as state).
      // The first bytes go with begin, so a file that is not an image is refused at once.
      const head = await readHead(file);
      const begun = await withRetry(() => this.transport.begin({ name: source.name, size: file.size, head }), {
        retries: PART_RETRIES,
        shouldRetry: (err) => !isAbortError(err),
        delayMs: this.beginDelay,
        signal,
      });
      if (begun.status === "success" && begun.data) uploadId = begun.data.uploadId;
      if (signal.aborted) throw abortError();
      if (!uploadId || begun.status !== "success" || !begun.data) return this.fail(job, actionMessage(begun));
      const upload = uploadId;

      await this.sendParts({ id, upload, file, partSize: begun.data.partSize, signal });
      if (signal.aborted) throw abortError();

      job.phase = "processing";
      this.patch(id, { status: "processing", loaded: file.size });
      // If complete() throws, aborting is still safe: the server aborts only uploads not being completed.
      const completed = await this.transport.complete(upload);
      if (completed.status !== "success" || !completed.data) return this.fail(job, actionMessage(completed));
      keep = true;
      job.phase = "settled";
      this.batch.done++;
      this.patch(id, { status: "done", loaded: file.size, duplicateOf: completed.data.duplicateOf, skipped: completed.data.skipped });
      try {
        if (!completed.data.skipped) this.options.onUploaded(completed.data);
      } catch (err) {
        console.error("[uploader] onUploaded failed", err);
      }
    } catch (err) {
      if (isAbortError(err) || signal.aborted) return; // cancelled: the row is already gone
      this.fail(job, err instanceof PartError ? partFailureMessage(err) : NETWORK_ERROR_MESSAGE);
    } finally {
      job.phase = "settled";
      if (uploadId && !keep) {
        // Best effort; the server's sweeper removes anything this misses.
        void this.transport.abort(uploadId).catch(() => {});
      }
    }
  }

  /**
   * A file's parts, PART_CONCURRENCY at a time: while the server encrypts and
   * stores one part, the next is already on the wire, so a single large file
   * is not held to one round trip per 4 MiB. Progress is the sum of finished
   * parts and the bytes of those in flight. The first part that fails for good
   * stops the others.
   */
  private async sendParts({ id, upload, file, partSize, signal }: { id: string; upload: string; file: Blob; partSize: number; signal: AbortSignal }) {
    const parts = partRanges(file.size, partSize);
    const stop = new AbortController();
    const partSignal = AbortSignal.any([signal, stop.signal]);
    const inFlight = new Map<number, number>();
    let finished = 0;
    const report = () => {
      let loaded = finished;
      for (const bytes of inFlight.values()) loaded += bytes;
      this.progress(id, loaded);
    };
    let next = 0;
    const worker = async () => {
      while (next < parts.length && !partSignal.aborted) {
        const part = parts[next++];
        const length = part.end - part.start;
        let otherRetries = 0;
        await withRetry(
          async () => {
            inFlight.set(part.index, 0);
            report();
            // One slice per part: a picked file is never read into memory as a whole.
            const body = file.slice(part.start, part.end);
            await this.putWatched(upload, part.index, body, (loaded) => {
              inFlight.set(part.index, Math.min(loaded, length));
              report();
            }, partSignal);
          },
          {
            retries: PART_RETRIES + UNAVAILABLE_RETRIES,
            // Other failures get PART_RETRIES tries; "storage unavailable" waits longer for the database.
            shouldRetry: (err) => isRetryablePartError(err) && (isUnavailablePartError(err) || otherRetries++ < PART_RETRIES),
            delayMs: (retry, err) => Math.min(this.partDelay(retry, err), MAX_RETRY_DELAY_MS),
            onRetry: (_retry, err) => {
              if (isUnavailablePartError(err)) this.patch(id, { note: STORAGE_RETRYING_MESSAGE });
            },
            signal: partSignal,
          },
        );
        if (this.state.rows.find((row) => row.id === id)?.note) this.patch(id, { note: undefined });
        inFlight.delete(part.index);
        finished += length;
        report();
      }
    };
    const workers = Array.from({ length: Math.min(PART_CONCURRENCY, parts.length) }, () =>
      worker().catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
    );
    const results = await Promise.allSettled(workers);
    // The signal's own abort (a cancel) wins over the failures it caused in the other workers.
    if (signal.aborted) throw abortError();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !isAbortError(r.reason));
    if (failed) throw failed.reason;
    const aborted = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (aborted) throw aborted.reason;
  }

  /**
   * One part attempt, abandoned when no progress arrives for `stallMs` (a
   * connection that hangs without failing): it then counts as a network error,
   * which withRetry retries. A cancel still ends it as an AbortError.
   */
  private putWatched(uploadId: string, index: number, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void> {
    const attempt = new AbortController();
    let stalled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        attempt.abort();
      }, this.stallMs);
    };
    const forward = () => attempt.abort();
    if (signal.aborted) return Promise.reject(abortError());
    signal.addEventListener("abort", forward, { once: true });
    arm();
    return this.transport
      .putPart(
        uploadId,
        index,
        body,
        (loaded) => {
          arm();
          onProgress(loaded);
        },
        attempt.signal,
      )
      .catch((err: unknown) => {
        if (stalled && !signal.aborted) throw new PartError({});
        throw err;
      })
      .finally(() => {
        clearTimeout(timer);
        signal.removeEventListener("abort", forward);
      });
  }

  private fail(job: Job, message: string) {
    job.phase = "settled";
    this.batch.failed++;
    this.patch(job.id, { status: "error", error: message });
  }

  private finishBatchIfIdle() {
    if (this.unsettled > 0) return;
    const { done, failed } = this.batch;
    this.batch = { done: 0, failed: 0 };
    if (done + failed > 0) this.set({ announcement: batchMessage(done, failed) });
  }

  private progress(id: string, loaded: number) {
    this.pendingProgress.set(id, loaded);
    this.flushTimer ??= setTimeout(this.flushProgress, PROGRESS_FLUSH_MS);
  }

  private flushProgress = () => {
    this.flushTimer = null;
    if (this.pendingProgress.size === 0) return;
    const updates = new Map(this.pendingProgress);
    this.pendingProgress.clear();
    this.set({
      rows: this.state.rows.map((row) => {
        const loaded = updates.get(row.id);
        return loaded !== undefined && row.status === "uploading" && loaded !== row.loaded ? { ...row, loaded } : row;
      }),
    });
  };

  private patch(id: string, change: Partial<UploadRow>) {
    this.pendingProgress.delete(id);
    this.set({ rows: this.state.rows.map((row) => (row.id === id ? { ...row, ...change } : row)) });
  }

  private set(change: Partial<UploadsSnapshot>) {
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }
}

/** The first BEGIN_HEAD_BYTES of a file as base64 (what begin takes to sniff its type). */
async function readHead(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.slice(0, BEGIN_HEAD_BYTES).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
