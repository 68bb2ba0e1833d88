import "server-only";

import { createHash, timingSafeEqual } from "node:crypto";

import { getDb } from "@/lib/db";
import { AppError, isDuplicateKeyError } from "@/lib/errors";
import { allImageRefs } from "@/lib/images";
import { analyseStoredImage, analysedImageIds, outdatedImageRefs } from "@/lib/image-traits";
import { tryLock } from "@/lib/locks";

/**
 * The durable analysis queue: one job per image (`_id` = image id), written
 * when an upload completes. Any process drains it: the long-lived server's
 * loop, Next's `after()` once an upload completes, `/api/cron/analyze` on
 * Vercel, and `npm run analyze:backfill`. A job is leased with a lock
 * document (lib/locks.ts, an insert against the unique `_id`, the one atomic
 * write FerretDB has), so two instances never analyse one image at once; a
 * crashed holder's lease expires. The job record is only changed by its
 * lease holder. Failures are retried with exponential backoff, for ever but
 * at most every BACKOFF_MAX_MS; the gallery shows them as "Could not analyse".
 */

type JobDoc = {
  _id: string;
  ownerId: string;
  /** Constant: the drain lists jobs by this equality, the only indexed kind on FerretDB. */
  queue: "analysis";
  attempts: number;
  runAfter: Date;
  lastError?: string;
  createdAt: Date;
};

export type AnalysisState = "pending" | "failed";

const LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

async function jobs() {
  return (await getDb()).collection<JobDoc>("analysis_jobs");
}

/** Queues an image for analysis; queuing it twice is one job. */
export async function enqueueAnalysis({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<void> {
  try {
    await (await jobs()).insertOne({ _id: imageId, ownerId, queue: "analysis", attempts: 0, runAfter: new Date(), createdAt: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  kick();
}

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** What the gallery shows per image: waiting, or failed (and waiting for its retry). Done images have no job. */
export async function analysisStates({ ownerId }: { ownerId: string }): Promise<Map<string, AnalysisState>> {
  const out = new Map<string, AnalysisState>();
  for (const job of await (await jobs()).find({ ownerId }, { projection: { attempts: 1 } }).toArray()) {
    out.set(job._id, job.attempts > 0 ? "failed" : "pending");
  }
  return out;
}

/** Marks the items still waiting for analysis (or failed), for their tiles: one indexed query of the owner's open jobs. */
export async function withAnalysisStates<T extends { id: string }>({ ownerId, items }: { ownerId: string; items: T[] }): Promise<(T & { analysis?: AnalysisState })[]> {
  if (items.length === 0) return items;
  const states = await analysisStates({ ownerId });
  if (states.size === 0) return items;
  return items.map((item) => {
    const analysis = states.get(item.id);
    return analysis ? { ...item, analysis } : item;
  });
}

export type DrainResult = { analysed: number; failed: number; dropped: number; left: number };

// Logged once per distinct message per process, so a model that cannot load does not flood the log.
const logged = new Set<string>();

/**
 * Analyses due jobs until none is left, `max` were taken, or `budgetMs` is
 * spent (Vercel functions have a time limit). Jobs leased elsewhere are skipped.
 */
export async function drainAnalysisQueue({
  budgetMs = 60_000,
  max = Infinity,
  ownerId,
  onProgress,
  yieldToUploads = false,
}: {
  budgetMs?: number;
  max?: number;
  /** Only this owner's jobs (tests). */
  ownerId?: string;
  onProgress?: (r: DrainResult) => void;
  /** Wait before each image while this process is receiving uploads (the server's own loop). */
  yieldToUploads?: boolean;
} = {}): Promise<DrainResult> {
  const coll = await jobs();
  const deadline = Date.now() + budgetMs;
  const result: DrainResult = { analysed: 0, failed: 0, dropped: 0, left: 0 };
  const now = Date.now();
  const due = (await coll.find(ownerId ? { ownerId } : { queue: "analysis" }).toArray())
    .filter((j) => j.runAfter.getTime() <= now)
    .sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime());
  for (const [i, job] of due.entries()) {
    if (Date.now() > deadline || result.analysed + result.failed + result.dropped >= max) {
      result.left = due.length - i;
      break;
    }
    if (yieldToUploads) await waitForQuiet(deadline);
    const lease = await tryLock({ name: `analysis:${job._id}`, ttlMs: LEASE_MS });
    if (!lease) continue;
    try {
      // Read again under the lease: another instance may have finished it meanwhile.
      const current = await coll.findOne({ _id: job._id });
      if (!current || current.runAfter.getTime() > Date.now()) continue;
      try {
        const traits = await analyseStoredImage({ ownerId: current.ownerId, imageId: current._id });
        if (traits) result.analysed++;
        else result.dropped++;
        await coll.deleteOne({ _id: current._id });
      } catch (err) {
        result.failed++;
        const message = err instanceof Error ? err.message : String(err);
        if (!logged.has(message)) {
          logged.add(message);
          console.error(`[analysis] could not analyse an image (will retry): ${message}`);
        }
        const attempts = current.attempts + 1;
        await coll.updateOne(
          { _id: current._id },
          { $set: { attempts, runAfter: new Date(Date.now() + backoffMs(attempts)), lastError: message.slice(0, 300) } },
        );
      }
    } finally {
      await lease.release().catch(() => {});
      onProgress?.(result);
    }
  }
  return result;
}

/**
 * The cron route's work: with `Authorization: Bearer <CRON_SECRET>`, drains
 * for up to 50 s (Vercel's limit is 60). Without CRON_SECRET configured, or
 * with a wrong secret, it is a 404 like any unknown path.
 */
export async function runAnalysisCron({ authorization }: { authorization: string | null }): Promise<DrainResult> {
  const secret = process.env.CRON_SECRET;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  if (!secret || !authorization || !timingSafeEqual(digest(authorization), digest(`Bearer ${secret}`))) {
    throw new AppError("unauthorized");
  }
  return drainAnalysisQueue({ budgetMs: 50_000 });
}

/**
 * Queues every image that has no characteristics yet, or has them from older
 * models (the backfill); images already queued stay as they are.
 */
export async function enqueueUnanalysed(): Promise<{ images: number; queued: number; outdated: number }> {
  const [refs, done] = await Promise.all([allImageRefs(), analysedImageIds()]);
  let queued = 0;
  for (const ref of refs) {
    if (done.has(ref.id)) continue;
    await enqueueAnalysis({ ownerId: ref.ownerId, imageId: ref.id });
    queued++;
  }
  // Analysed by older models (before the sensitive-content flag): analysed again.
  const outdated = await outdatedImageRefs();
  for (const ref of outdated) await enqueueAnalysis({ ownerId: ref.ownerId, imageId: ref.id });
  return { images: refs.length, queued, outdated: outdated.length };
}

/** Drops the jobs of images deleted forever (the drain would drop them too, later). */
export async function dropAnalysisJobs({ imageIds }: { imageIds: string[] }): Promise<void> {
  if (imageIds.length) await (await jobs()).deleteMany({ _id: { $in: imageIds } });
}

export async function pendingAnalysisCount(): Promise<number> {
  return (await jobs()).countDocuments({ queue: "analysis" });
}

// Uploads come first: the server's own drain waits until no upload request of this
// process has been seen for QUIET_MS, so analysis fills the gaps instead of slowing
// uploads down (on globalThis: the parts route and the actions are separate bundles).
const QUIET_MS = 750;
const activity = ((globalThis as { __uploadActivity?: { last: number } }).__uploadActivity ??= { last: 0 });

/** Called by every upload request (lib/uploads.ts, lib/upload-completion.ts): the background drain steps aside for a moment. */
export function noteUploadActivity(): void {
  activity.last = Date.now();
}

async function waitForQuiet(deadline: number): Promise<void> {
  while (Date.now() - activity.last < QUIET_MS && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.max(50, QUIET_MS - (Date.now() - activity.last))));
  }
}

// In a long-lived server, a completed upload starts a drain at once in this process
// (one at a time); the periodic loop picks up retries and other instances' leftovers.
type Loop = { running: boolean; again: boolean; enabled: boolean; timer?: NodeJS.Timeout };
const loop = ((globalThis as { __analysisLoop?: Loop }).__analysisLoop ??= {
  running: false,
  again: false,
  enabled: false,
});

function kick(): void {
  if (!loop.enabled) return;
  if (loop.running) {
    loop.again = true;
    return;
  }
  loop.running = true;
  void (async () => {
    try {
      do {
        loop.again = false;
        await drainAnalysisQueue({ budgetMs: 5 * 60_000, yieldToUploads: true });
      } while (loop.again);
    } catch (err) {
      console.error("[analysis] drain failed:", err instanceof Error ? err.message : err);
    } finally {
      loop.running = false;
    }
  })();
}

/**
 * What Next's `after()` runs once an upload completes: on a long-lived
 * server the loop already started, elsewhere (Vercel) a short drain.
 */
export async function drainAfterUpload(): Promise<void> {
  // ANALYSIS=off: this instance never analyses (the cron route or another instance does).
  if (loop.enabled || process.env.ANALYSIS === "off") return;
  try {
    await drainAnalysisQueue({ budgetMs: 20_000, max: 4 });
  } catch (err) {
    console.error("[analysis] drain after upload failed:", err instanceof Error ? err.message : err);
  }
}

/** Starts the in-process drain: at once on every enqueue, and every `intervalMs` for retries and leftovers. */
export function startAnalysisLoop({ intervalMs = 60_000 }: { intervalMs?: number } = {}): void {
  if (loop.enabled) return;
  loop.enabled = true;
  kick();
  loop.timer = setInterval(kick, intervalMs);
  loop.timer.unref();
}

/** Stops the periodic drain (scripts); a drain already running finishes its current image. */
export function stopAnalysisLoop(): void {
  loop.enabled = false;
  clearInterval(loop.timer);
}
