// Sending one file's parts after begin: PART_CONCURRENCY at a time, each
// retried on its own, and each attempt watched for a connection that hangs
// without failing.

import { abortError, isAbortError } from "@/components/upload/abort";
import {
  MAX_RETRY_DELAY_MS,
  PartError,
  UNAVAILABLE_RETRIES,
  isRetryablePartError,
  isUnavailablePartError,
  partRanges,
} from "@/components/upload/parts";
import { PART_CONCURRENCY } from "@/components/upload/queue";
import { PART_RETRIES, withRetry } from "@/components/upload/retry";
import type { UploadTransport } from "@/components/upload/transport";

/** A part with no progress for this long is abandoned and retried like a network error. */
export const STALL_MS = 60_000;

export type SendParts = {
  transport: UploadTransport;
  upload: string;
  file: Blob;
  partSize: number;
  signal: AbortSignal;
  stallMs: number;
  /** Wait before a part's retry number `retry`. */
  retryDelay: (retry: number, err: unknown) => number;
  /** Bytes of the file sent so far, finished parts and those in flight. */
  onProgress: (loaded: number) => void;
  /** A part is about to be retried because the server's storage is unavailable. */
  onStorageWait: () => void;
  /** A part is stored. */
  onPartStored: () => void;
};

/**
 * While the server encrypts and stores one part, the next is already on the
 * wire, so a single large file is not held to one round trip per 4 MiB. The
 * first part that fails for good stops the others.
 */
export async function sendParts({ transport, upload, file, partSize, signal, stallMs, retryDelay, onProgress, onStorageWait, onPartStored }: SendParts) {
  const parts = partRanges(file.size, partSize);
  const stop = new AbortController();
  const partSignal = AbortSignal.any([signal, stop.signal]);
  const inFlight = new Map<number, number>();
  let finished = 0;
  const report = () => {
    let loaded = finished;
    for (const bytes of inFlight.values()) loaded += bytes;
    onProgress(loaded);
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
          await putWatched(transport, stallMs, upload, part.index, body, (loaded) => {
            inFlight.set(part.index, Math.min(loaded, length));
            report();
          }, partSignal);
        },
        {
          retries: PART_RETRIES + UNAVAILABLE_RETRIES,
          // Other failures get PART_RETRIES tries; "storage unavailable" waits longer for the database.
          shouldRetry: (err) => isRetryablePartError(err) && (isUnavailablePartError(err) || otherRetries++ < PART_RETRIES),
          delayMs: (retry, err) => Math.min(retryDelay(retry, err), MAX_RETRY_DELAY_MS),
          onRetry: (_retry, err) => {
            if (isUnavailablePartError(err)) onStorageWait();
          },
          signal: partSignal,
        },
      );
      onPartStored();
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
function putWatched(
  transport: UploadTransport,
  stallMs: number,
  uploadId: string,
  index: number,
  body: Blob,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const attempt = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      attempt.abort();
    }, stallMs);
  };
  const forward = () => attempt.abort();
  if (signal.aborted) return Promise.reject(abortError());
  signal.addEventListener("abort", forward, { once: true });
  arm();
  return transport
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
