import "server-only";

import { randomUUID } from "node:crypto";

import { getDb } from "@/lib/db";
import { AppError, isDuplicateKeyError } from "@/lib/errors";

/**
 * Short mutual exclusion across every app instance sharing the database.
 *
 * Why not `$inc`: FerretDB 1.24 applies updates as read-modify-write in Go, so
 * concurrent updates of one document lose writes (measured: 20 parallel
 * `$inc: 1` left the counter at 3, and 20 conditional `$inc`s guarded by
 * `{ n: { $lte: 4 } }` all matched). The one write it makes atomic is an insert
 * against a unique index, so a lock is a document whose `_id` is the lock name.
 * On MongoDB and Atlas the same code is simply correct too.
 */

/** The one lease every periodic job runs under (lib/housekeeping), so instances never sweep at once. */
export const HOUSEKEEPING_LEASE = "lease:housekeeping";
export const HOUSEKEEPING_LEASE_MS = 10 * 60_000;

type LockDoc = { _id: string; holder: string; expiresAt: Date };

async function locks() {
  return (await getDb()).collection<LockDoc>("locks");
}

/** Takes the lock or returns null at once; a holder that died is overtaken after `ttlMs`. */
export async function tryLock({ name, ttlMs }: { name: string; ttlMs: number }): Promise<{ release: () => Promise<void> } | null> {
  const coll = await locks();
  const holder = randomUUID();
  const attempt = async () => {
    await coll.insertOne({ _id: name, holder, expiresAt: new Date(Date.now() + ttlMs) });
  };
  try {
    await attempt();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // Only an expired lock is taken over; the delete names the holder it saw, so two
    // contenders cannot both remove a fresh one.
    const current = await coll.findOne({ _id: name });
    if (!current || current.expiresAt.getTime() > Date.now()) return null;
    await coll.deleteOne({ _id: name, holder: current.holder });
    try {
      await attempt();
    } catch (again) {
      if (isDuplicateKeyError(again)) return null;
      throw again;
    }
  }
  return {
    release: async () => {
      await coll.deleteOne({ _id: name, holder });
    },
  };
}

/**
 * Runs `fn` holding the named lock, waiting up to `waitMs` for it. Keep `fn`
 * short (a few database round trips): everyone else waiting polls.
 */
export async function withLock<T>({ name, ttlMs = 15_000, waitMs = 10_000 }: { name: string; ttlMs?: number; waitMs?: number }, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    const lock = await tryLock({ name, ttlMs });
    if (lock) {
      try {
        return await fn();
      } finally {
        await lock.release().catch(() => {});
      }
    }
    if (Date.now() > deadline) throw new AppError("unavailable", "The server is busy. Please try again.");
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** Expired locks of crashed holders; also overtaken on demand, this only tidies. */
export async function sweepExpiredLocks(): Promise<number> {
  return (await (await locks()).deleteMany({ expiresAt: { $lte: new Date() } })).deletedCount;
}
