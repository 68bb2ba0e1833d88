// How many uploads run at once: a pool of CONCURRENCY files, each sending
// PART_CONCURRENCY parts at a time. The rest of the uploader is split by job:
// abort.ts, retry.ts, parts.ts, progress.ts and dropped-files.ts; none of them
// touches React or XMLHttpRequest, so they run in Node under Vitest.

import { abortError } from "@/components/upload/abort";

/** Files uploaded at the same time; the rest wait in the queue. */
export const CONCURRENCY = 3;
/** Parts of one file on the wire at once: the next is sent while the server stores the last (send-parts.ts). */
export const PART_CONCURRENCY = 2;

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
