"use client";

import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { abortUploadAction, beginUploadAction, completeUploadAction } from "@/app/(gallery)/actions";
import { BEGIN_HEAD_BYTES } from "@/lib/schemas";
import {
  CONCURRENCY,
  EMPTY_FILE_MESSAGE,
  type EntryLike,
  NETWORK_ERROR_MESSAGE,
  PART_RETRIES,
  PartError,
  type QueueSummary,
  type UploadStatus,
  abortError,
  backoffDelay,
  batchMessage,
  collectFiles,
  createPool,
  isAbortError,
  isHiddenName,
  isKnownNonImage,
  isRetryablePartError,
  parseApiError,
  parseRetryAfter,
  partFailureMessage,
  partRanges,
  partRetryDelay,
  summarize,
  tooLargeMessage,
  withRetry,
} from "@/components/upload-queue";
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
} from "@/components/zip-import";
import type { BeginUploadResult, GalleryItem } from "@/lib/gallery-types";

export type { UploadStatus } from "@/components/upload-queue";

export type UploadRow = {
  id: string;
  name: string;
  size: number;
  status: UploadStatus;
  /** Bytes the server has acknowledged or is receiving. */
  loaded: number;
  /** Shown instead of the status when `status` is "error". */
  error?: string;
};

/**
 * A line about a ZIP archive, shown above the upload rows: "trip.zip: opening…",
 * then "trip.zip: 3 images found". The archive itself is never an upload row;
 * when it cannot be used it becomes an error row instead.
 */
export type ZipNotice = { id: string; name: string; state: "opening" | "opened"; text: string };

export type UploadsSnapshot = { rows: readonly UploadRow[]; notices: readonly ZipNotice[]; announcement: string };

/** The subset of ActionState the uploader reads. */
type ActionResult<T> =
  | { status: "idle" }
  | { status: "success"; data?: T; message?: string }
  | { status: "error"; code: string; message: string; fieldErrors?: Record<string, string[]> };

/** How the engine reaches the server; the default uses the server actions and XHR. */
export type UploadTransport = {
  begin(input: { name: string; size: number; head?: string }): Promise<ActionResult<BeginUploadResult>>;
  putPart(uploadId: string, index: number, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void>;
  complete(uploadId: string): Promise<ActionResult<GalleryItem>>;
  abort(uploadId: string): Promise<unknown>;
};

/** A part request with no progress for this long is treated as a network error (and retried). */
const STALL_MS = 60_000;
/** Progress events are folded into one render at most this often. */
const PROGRESS_FLUSH_MS = 100;

export const partUrl = (uploadId: string, index: number) =>
  `/api/uploads/${encodeURIComponent(uploadId)}/parts/${index}`;

/**
 * PUTs one part with XMLHttpRequest, which (unlike fetch) reports upload
 * progress. Rejects with a PartError for HTTP and network failures and with an
 * AbortError when `signal` aborts.
 */
export function xhrPutPart(url: string, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    let stalled = false;
    let stallTimer: ReturnType<typeof setTimeout> | undefined;
    const armStallTimer = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stalled = true;
        xhr.abort();
      }, STALL_MS);
    };
    const onAbort = () => xhr.abort();
    const settle = () => {
      clearTimeout(stallTimer);
      signal.removeEventListener("abort", onAbort);
    };

    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (event) => {
      armStallTimer();
      onProgress(event.loaded);
    };
    xhr.onprogress = armStallTimer;
    xhr.onload = () => {
      settle();
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      reject(
        new PartError({
          status: xhr.status,
          ...parseApiError(xhr.responseText),
          retryAfterMs: parseRetryAfter(xhr.getResponseHeader("Retry-After")),
        }),
      );
    };
    xhr.onerror = () => {
      settle();
      reject(new PartError({}));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      settle();
      reject(stalled ? new PartError({}) : abortError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
    armStallTimer();
    xhr.send(body);
  });
}

export const defaultTransport: UploadTransport = {
  begin: (input) => beginUploadAction(undefined, input),
  putPart: (uploadId, index, body, onProgress, signal) => xhrPutPart(partUrl(uploadId, index), body, onProgress, signal),
  complete: (uploadId) => completeUploadAction(undefined, { uploadId }),
  abort: (uploadId) => abortUploadAction(undefined, { uploadId }),
};

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

type EngineOptions = { maxBytes: number; onUploaded: (item: GalleryItem) => void };

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

  constructor(options: EngineOptions, transport: UploadTransport = defaultTransport) {
    this.options = options;
    this.transport = transport;
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
        delayMs: backoffDelay,
        signal,
      });
      if (begun.status === "success" && begun.data) uploadId = begun.data.uploadId;
      if (signal.aborted) throw abortError();
      if (!uploadId || begun.status !== "success" || !begun.data) return this.fail(job, actionMessage(begun));
      const upload = uploadId;

      let sent = 0;
      for (const part of partRanges(file.size, begun.data.partSize)) {
        const length = part.end - part.start;
        await withRetry(
          async () => {
            this.progress(id, sent);
            // One slice per part: a picked file is never read into memory as a whole.
            const body = file.slice(part.start, part.end);
            await this.transport.putPart(upload, part.index, body, (loaded) => this.progress(id, sent + Math.min(loaded, length)), signal);
          },
          { retries: PART_RETRIES, shouldRetry: isRetryablePartError, delayMs: partRetryDelay, signal },
        );
        sent = part.end;
        this.progress(id, sent);
      }
      if (signal.aborted) throw abortError();

      job.phase = "processing";
      this.patch(id, { status: "processing", loaded: file.size });
      // If complete() throws, aborting is still safe: the server aborts only uploads not being completed.
      const completed = await this.transport.complete(upload);
      if (completed.status !== "success" || !completed.data) return this.fail(job, actionMessage(completed));
      keep = true;
      job.phase = "settled";
      this.batch.done++;
      this.patch(id, { status: "done", loaded: file.size });
      try {
        this.options.onUploaded(completed.data);
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

const SERVER_SNAPSHOT: UploadsSnapshot = { rows: [], notices: [], announcement: "" };
const getServerSnapshot = () => SERVER_SNAPSHOT;

export type Uploads = {
  rows: readonly UploadRow[];
  /** Lines about ZIP archives being opened or opened. */
  notices: readonly ZipNotice[];
  /** The batch sentence for the live region, e.g. "Uploaded 9 images; 1 failed." */
  announcement: string;
  summary: QueueSummary;
  /** Something is queued, uploading or processing. */
  busy: boolean;
  addFiles: (files: readonly File[]) => void;
  cancel: (id: string) => void;
  clearFinished: () => void;
};

export function useUploads({ maxBytes, onUploaded }: EngineOptions): Uploads {
  const [engine] = useState(() => new UploadEngine({ maxBytes, onUploaded }));
  useEffect(() => engine.configure({ maxBytes, onUploaded }), [engine, maxBytes, onUploaded]);
  useEffect(() => engine.abortAll, [engine]);

  const { rows, notices, announcement } = useSyncExternalStore(engine.subscribe, engine.getSnapshot, getServerSnapshot);
  const summary = useMemo(() => summarize(rows), [rows]);
  const busy = summary.active > 0 || notices.some((notice) => notice.state === "opening");

  useEffect(() => {
    if (!busy) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "Uploads are still in progress.";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [busy]);

  return { rows, notices, announcement, summary, busy, addFiles: engine.add, cancel: engine.cancel, clearFinished: engine.clearFinished };
}

/**
 * The files of a drop, folders walked recursively. Reads the DataTransfer
 * synchronously (it is emptied once the drop handler returns), then walks.
 * Hidden files are skipped, and inside folders so are files of a known
 * non-image type (sidecar .json, .txt, …).
 */
export function filesFromDrop(dataTransfer: DataTransfer): Promise<File[]> {
  const loose: File[] = [];
  const folders: EntryLike<File>[] = [];
  const items = Array.from(dataTransfer.items ?? []);
  for (const item of items) {
    if (item.kind !== "file") continue;
    const entry = typeof item.webkitGetAsEntry === "function" ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) {
      folders.push(entry as unknown as EntryLike<File>);
      continue;
    }
    const file = item.getAsFile();
    if (file) loose.push(file);
  }
  if (items.length === 0) loose.push(...Array.from(dataTransfer.files));
  const visible = loose.filter((file) => !isHiddenName(file.name));
  if (folders.length === 0) return Promise.resolve(visible);
  return collectFiles(folders, (file) => !isKnownNonImage(file.type)).then((found) => [...visible, ...found]);
}

/** The first BEGIN_HEAD_BYTES of a file as base64 (what begin takes to sniff its type). */
async function readHead(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.slice(0, BEGIN_HEAD_BYTES).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
