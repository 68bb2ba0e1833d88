// What React reads from the upload engine (rows, ZIP notices, the live-region
// sentence), and the only code that changes it. Byte progress arrives many
// times a second per file, so it is folded into one render per
// PROGRESS_FLUSH_MS.

import type { UploadStatus } from "@/components/upload/progress";

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

/** Progress events are folded into one render at most this often. */
const PROGRESS_FLUSH_MS = 100;

/** An external store for useSyncExternalStore: every change makes a new snapshot. */
export class UploadStore {
  private snapshot: UploadsSnapshot = { rows: [], notices: [], announcement: "" };
  private readonly listeners = new Set<() => void>();
  private readonly pendingProgress = new Map<string, number>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): UploadsSnapshot => this.snapshot;

  set(change: Partial<UploadsSnapshot>) {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener();
  }

  /** Changes one row at once; progress of it still waiting for the flush is dropped. */
  patch(id: string, change: Partial<UploadRow>) {
    this.pendingProgress.delete(id);
    this.set({ rows: this.snapshot.rows.map((row) => (row.id === id ? { ...row, ...change } : row)) });
  }

  removeRow(id: string) {
    this.pendingProgress.delete(id);
    this.set({ rows: this.snapshot.rows.filter((row) => row.id !== id) });
  }

  /** Bytes sent of an uploading row, shown with the next flush. */
  progress(id: string, loaded: number) {
    this.pendingProgress.set(id, loaded);
    this.flushTimer ??= setTimeout(this.flushProgress, PROGRESS_FLUSH_MS);
  }

  private flushProgress = () => {
    this.flushTimer = null;
    if (this.pendingProgress.size === 0) return;
    const updates = new Map(this.pendingProgress);
    this.pendingProgress.clear();
    this.set({
      rows: this.snapshot.rows.map((row) => {
        const loaded = updates.get(row.id);
        return loaded !== undefined && row.status === "uploading" && loaded !== row.loaded ? { ...row, loaded } : row;
      }),
    });
  };
}
