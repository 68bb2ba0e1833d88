import "server-only";

import { getDb } from "@/lib/db";

type Attempt = { _id: string; count: number; expiresAt: Date };

export type RateLimitRule = { limit: number; windowSeconds: number };

/** Sign-in failures per username stay low so guessing is slow; the window is short so the owner is not locked out for long. */
export const LOGIN_RULES = {
  username: { limit: 5, windowSeconds: 5 * 60 },
  ip: { limit: 30, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimitRule>;

/** Seconds until `keys` may be tried again, or 0 when none is over its limit. */
export async function getRetryAfter({ keys }: { keys: { key: string; rule: RateLimitRule }[] }): Promise<number> {
  const db = await getDb();
  const now = new Date();
  // Expiry is checked here as well as by the TTL index: FerretDB has no TTL, and MongoDB's runs only once a minute.
  const docs = await db
    .collection<Attempt>("login_attempts")
    .find({ _id: { $in: keys.map((k) => k.key) }, expiresAt: { $gt: now } })
    .toArray();
  let wait = 0;
  for (const doc of docs) {
    const rule = keys.find((k) => k.key === doc._id)?.rule;
    if (rule && doc.count >= rule.limit) {
      wait = Math.max(wait, Math.ceil((doc.expiresAt.getTime() - now.getTime()) / 1000));
    }
  }
  return wait;
}

/** Counts one failure against each key, starting a fresh window where the old one ran out. */
export async function recordFailure({ keys }: { keys: { key: string; rule: RateLimitRule }[] }): Promise<void> {
  const db = await getDb();
  const attempts = db.collection<Attempt>("login_attempts");
  const now = new Date();
  for (const { key, rule } of keys) {
    // An expired window starts again at zero.
    await attempts.deleteOne({ _id: key, expiresAt: { $lte: now } });
    await attempts.updateOne(
      { _id: key },
      { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(now.getTime() + rule.windowSeconds * 1000) } },
      { upsert: true },
    );
  }
}

export async function clearFailures({ keys }: { keys: string[] }): Promise<void> {
  const db = await getDb();
  await db.collection<Attempt>("login_attempts").deleteMany({ _id: { $in: keys } });
}

/** Removes expired windows; MongoDB's TTL index does this too, FerretDB needs it. */
export async function sweepExpiredAttempts(): Promise<number> {
  const db = await getDb();
  const res = await db.collection<Attempt>("login_attempts").deleteMany({ expiresAt: { $lte: new Date() } });
  return res.deletedCount;
}
