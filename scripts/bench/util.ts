// Small helpers shared by the bench worker and orchestrator. No app imports here.

export const MiB = 1024 * 1024;

export function now(): number {
  return performance.now();
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Runs fn and returns its duration in milliseconds together with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = now();
  const value = await fn();
  return { ms: now() - t, value };
}

/**
 * Durations in milliseconds of up to `samples` runs, after `warmup` untimed ones.
 * With `budgetMs`, stops early once that much time went by and at least 3 samples exist
 * (slow cases on the SQLite backend would otherwise take minutes).
 */
export async function sampleMs(fn: (i: number) => Promise<unknown>, samples: number, warmup = 1, budgetMs = Infinity): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  const start = now();
  for (let i = 0; i < samples; i++) {
    const t = now();
    await fn(i);
    out.push(now() - t);
    if (out.length >= 3 && now() - start > budgetMs) break;
  }
  return out;
}

/** Runs `total` calls of fn with `concurrency` in flight; returns calls per second. */
export async function ratePerSecond(fn: (i: number) => Promise<unknown>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const t = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        await fn(i);
      }
    }),
  );
  return total / ((now() - t) / 1000);
}

/** MiB per second for `bytes` moved in `ms`. */
export function mibps(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

/** Samples this process's RSS every `everyMs` while running; reports the peak and the growth over the start. */
export async function withRssSampling<T>(fn: () => Promise<T>, everyMs = 50): Promise<{ value: T; rssStartMiB: number; rssPeakMiB: number; rssGrowthMiB: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, rssStartMiB: start / MiB, rssPeakMiB: peak / MiB, rssGrowthMiB: (peak - start) / MiB };
  } finally {
    clearInterval(timer);
  }
}

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Reads a positive number from the environment. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** What a bench section gets from the worker. */
export type SectionContext = {
  put: (section: string, key: string, label: string, unit: string, value: number | string | null, note?: string) => void;
  notes: string[];
  /** Points lib/db at a fresh (dropped) database of the same server; null: the URI's own, which the app server uses. */
  freshDatabase: (name: string | null) => Promise<import("mongodb").Db>;
  /** The GIN index on fs.chunks files_id that scripts/with-db.mjs gives the app's database (PostgreSQL only). */
  addChunksGinIndex: (dbName: string) => boolean;
  engineShort: string;
};
