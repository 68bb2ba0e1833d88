import "server-only";

import { limits } from "@/lib/config";

/**
 * A first-come, first-served limit on concurrent work. Image decoding needs
 * it: sharp buffers a whole upload before decoding it, and a decode holds
 * the image's pixels (about 150 MiB for a 100-megapixel PNG of a few hundred
 * KiB), so uploads completing in parallel would otherwise add up without
 * bound. Waiting work has not started: its input is not read yet.
 */
export type WorkQueue = {
  /** Runs `work` once a slot is free, in call order; the slot is released however `work` ends. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Work running now (at most the concurrency). */
  readonly active: number;
  /** Work waiting for a slot. */
  readonly waiting: number;
};

export function createWorkQueue({ concurrency }: { concurrency: number }): WorkQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finished slot goes straight to the longest waiter, so later callers cannot overtake it.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (active < concurrency) active += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

/** The process-wide queue for full image decodes (`analyzeImage`): ANALYZE_CONCURRENCY at a time. */
export const decodeQueue = createWorkQueue({ concurrency: limits.analyzeConcurrency });
