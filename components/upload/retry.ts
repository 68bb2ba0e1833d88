// Retrying with backoff: begin and every part are retried on their own, so one
// dropped connection costs one request, not the whole file.

import { abortError, isAbortError, sleep } from "@/components/upload/abort";

/** Waits before the 1st, 2nd and 3rd retry of a failed part. */
export const RETRY_DELAYS_MS = [500, 1000, 2000] as const;

export const PART_RETRIES = RETRY_DELAYS_MS.length;

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
