// The upload queue, with no React and no network code of its own: files wait
// in a pool of CONCURRENCY; each one runs begin → parts (send-parts.ts) →
// complete through an UploadTransport. The browser's transport is
// xhr-transport.ts; the unit tests pass an in-process one. React reads the
// engine's UploadStore through useSyncExternalStore (use-uploads.ts).

import { abortError, isAbortError } from "@/components/upload/abort";
import { PartError, STORAGE_RETRYING_MESSAGE, partFailureMessage, partRetryDelay } from "@/components/upload/parts";
import { EMPTY_FILE_MESSAGE, NETWORK_ERROR_MESSAGE, type UploadStatus, batchMessage, tooLargeMessage } from "@/components/upload/progress";
import { CONCURRENCY, createPool } from "@/components/upload/queue";
import { PART_RETRIES, backoffDelay, withRetry } from "@/components/upload/retry";
import { STALL_MS, sendParts } from "@/components/upload/send-parts";
import { type Source, fileSource, readHead, zipImageSource } from "@/components/upload/sources";
import { type UploadTransport, actionMessage } from "@/components/upload/transport";
import { UploadStore, type UploadRow } from "@/components/upload/upload-store";
import {
  MAX_ZIP_BYTES,
  NO_IMAGES_MESSAGE,
  isZipByName,
  listZipImages,
  startsLikeZip,
  zipFoundText,
  zipTooLargeMessage,
  zipUnreadableMessage,
} from "@/components/upload/zip-import";
import type { GalleryItem } from "@/lib/gallery-types";

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
 * one runs begin → parts (PART_CONCURRENCY at a time, part 0 first, retried) →
 * complete.
 */
export class UploadEngine {
  private readonly store = new UploadStore();
  private readonly jobs = new Map<string, Job>();
  /** ZIP archives being opened, by notice id; aborting one drops its result. */
  private readonly opening = new Map<string, AbortController>();
  /** Bumped by abortAll(), so files still being sniffed are dropped. */
  private generation = 0;
  private readonly pool = createPool(CONCURRENCY);
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

  subscribe = this.store.subscribe;

  getSnapshot = this.store.getSnapshot;

  /**
   * Queues files; empty and over-size files fail at once without a request.
   * ZIP archives (by name, type, or for files the browser does not call
   * images, by their first bytes) are opened here and their images queued
   * one by one; the archive itself is never uploaded.
   */
  add = (files: readonly File[]) => {
    if (files.length === 0) return;
    if (this.unsettled === 0 && this.batch.done + this.batch.failed === 0) this.store.set({ announcement: "" });
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
    this.store.set({ rows: [...this.store.getSnapshot().rows, ...added] });
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
      this.store.set({ rows: [...this.store.getSnapshot().rows, { id, name: file.name, size: file.size, status: "error", loaded: 0, error: message }] });
    };
    if (file.size > MAX_ZIP_BYTES) return fail(zipTooLargeMessage(file.size));
    const controller = new AbortController();
    this.opening.set(id, controller);
    this.unsettled++;
    this.store.set({ notices: [...this.store.getSnapshot().notices, { id, name: file.name, state: "opening", text: `${file.name}: opening…` }] });
    void listZipImages(file)
      .then(
        ({ images, skipped }) => {
          if (controller.signal.aborted) return;
          if (images.length === 0) {
            this.removeNotice(id);
            return fail(NO_IMAGES_MESSAGE);
          }
          const text = zipFoundText(file.name, images.length, skipped);
          this.store.set({
            notices: this.store.getSnapshot().notices.map((notice) => (notice.id === id ? { ...notice, state: "opened", text } : notice)),
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
    this.store.set({ notices: this.store.getSnapshot().notices.filter((notice) => notice.id !== id) });
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
    this.store.removeRow(id);
  };

  /** Removes done and failed rows, and notices about archives already opened. */
  clearFinished = () => {
    const { rows, notices } = this.store.getSnapshot();
    this.store.set({
      rows: rows.filter(isActive),
      notices: notices.filter((notice) => notice.state === "opening"),
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
      this.store.patch(id, { status: "uploading", loaded: 0 });

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
        this.store.patch(id, { size: file.size });
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

      await sendParts({
        transport: this.transport,
        upload,
        file,
        partSize: begun.data.partSize,
        signal,
        stallMs: this.stallMs,
        retryDelay: this.partDelay,
        onProgress: (loaded) => this.store.progress(id, loaded),
        onStorageWait: () => this.store.patch(id, { note: STORAGE_RETRYING_MESSAGE }),
        onPartStored: () => {
          if (this.store.getSnapshot().rows.find((row) => row.id === id)?.note) this.store.patch(id, { note: undefined });
        },
      });
      if (signal.aborted) throw abortError();

      job.phase = "processing";
      this.store.patch(id, { status: "processing", loaded: file.size });
      // If complete() throws, aborting is still safe: the server aborts only uploads not being completed.
      const completed = await this.transport.complete(upload);
      if (completed.status !== "success" || !completed.data) return this.fail(job, actionMessage(completed));
      keep = true;
      job.phase = "settled";
      this.batch.done++;
      this.store.patch(id, { status: "done", loaded: file.size, duplicateOf: completed.data.duplicateOf, skipped: completed.data.skipped });
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

  private fail(job: Job, message: string) {
    job.phase = "settled";
    this.batch.failed++;
    this.store.patch(job.id, { status: "error", error: message });
  }

  private finishBatchIfIdle() {
    if (this.unsettled > 0) return;
    const { done, failed } = this.batch;
    this.batch = { done: 0, failed: 0 };
    if (done + failed > 0) this.store.set({ announcement: batchMessage(done, failed) });
  }
}
