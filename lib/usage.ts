import "server-only";

import { limits } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { withLock } from "@/lib/locks";

/**
 * Per-owner storage usage: one small document, read in O(1) by `_id`, so the
 * quota check costs the same at 10 or 50,000 images. `bytes` and `count`
 * include uploads in progress: space is reserved when an upload begins and
 * given back when it is aborted, fails, expires, or its image is deleted.
 *
 * Every change happens under a per-owner lock (lib/locks.ts explains why not
 * `$inc`), so 20 uploads beginning at once cannot overshoot the quota.
 * FerretDB 1.x has no transactions, so a crash between the image write and
 * the counter write can leave the counter off; the sweeper recomputes it.
 */

type UsageDoc = { _id: string; bytes: number; count: number; reconciledAt?: Date };

export type Usage = { bytes: number; count: number };
/** Recomputes an owner's usage from the records themselves (images plus open uploads). */
export type MeasureUsage = (ownerId: string) => Promise<Usage>;

async function usage() {
  return (await getDb()).collection<UsageDoc>("owner_usage");
}

const lockName = (ownerId: string) => `usage:${ownerId}`;
const MB = 1024 * 1024;
const formatMb = (n: number) => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;

export async function getUsage({ ownerId }: { ownerId: string }): Promise<Usage> {
  const doc = await (await usage()).findOne({ _id: ownerId });
  return { bytes: doc?.bytes ?? 0, count: doc?.count ?? 0 };
}

/**
 * Reserves room for one more image of `bytes`, or throws quota_exceeded.
 * `measure` runs only the first time an owner has no counter yet (data from
 * before counters existed).
 */
export async function reserveQuota({ ownerId, bytes, measure }: { ownerId: string; bytes: number; measure: MeasureUsage }): Promise<void> {
  await withLock({ name: lockName(ownerId) }, async () => {
    const coll = await usage();
    const doc = await coll.findOne({ _id: ownerId });
    const current = doc ? { bytes: doc.bytes, count: doc.count } : await measure(ownerId);
    if (current.count + 1 > limits.quotaImages) {
      throw new AppError("quota_exceeded", `Your quota of ${limits.quotaImages} images is full.`);
    }
    if (current.bytes + bytes > limits.quotaBytes) {
      throw new AppError("quota_exceeded", `Not enough space left: your quota is ${formatMb(limits.quotaBytes)}.`);
    }
    await coll.updateOne({ _id: ownerId }, { $set: { bytes: current.bytes + bytes, count: current.count + 1 } }, { upsert: true });
  });
}

/** Gives back what `count` images of `bytes` in total held (an aborted upload, deleted images). */
export async function releaseQuota({ ownerId, bytes, count }: { ownerId: string; bytes: number; count: number }): Promise<void> {
  if (bytes === 0 && count === 0) return;
  await withLock({ name: lockName(ownerId) }, async () => {
    const coll = await usage();
    const doc = await coll.findOne({ _id: ownerId });
    if (!doc) return;
    await coll.updateOne(
      { _id: ownerId },
      { $set: { bytes: Math.max(0, doc.bytes - bytes), count: Math.max(0, doc.count - count) } },
    );
  });
}

/** Repairs drift: sets the counter to what the records say. Returns true when it was off. */
export async function reconcileUsage({ ownerId, measure }: { ownerId: string; measure: MeasureUsage }): Promise<boolean> {
  return withLock({ name: lockName(ownerId), ttlMs: 120_000, waitMs: 30_000 }, async () => {
    const coll = await usage();
    const [doc, actual] = await Promise.all([coll.findOne({ _id: ownerId }), measure(ownerId)]);
    const drifted = !doc || doc.bytes !== actual.bytes || doc.count !== actual.count;
    await coll.updateOne({ _id: ownerId }, { $set: { ...actual, reconciledAt: new Date() } }, { upsert: true });
    return drifted;
  });
}

export async function deleteUsage({ ownerId }: { ownerId: string }): Promise<void> {
  await (await usage()).deleteOne({ _id: ownerId });
}
