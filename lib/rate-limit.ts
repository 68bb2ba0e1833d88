import "server-only";

import { createHmac } from "node:crypto";

import { requireEnv } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError, isDuplicateKeyError } from "@/lib/errors";

/**
 * Attempt limits over a sliding window, reserved *before* the guarded work runs.
 *
 * Each attempt inserts one slot document `<key>#<window>#<i>`, its `key`
 * field the bare key, for the first free i below what the limit leaves after
 * the previous window's attempts still inside the sliding window. The unique
 * `_id` makes the reservation atomic on any MongoDB-wire database, FerretDB
 * included, where concurrent `$inc`s lose writes (see lib/locks.ts): 20
 * parallel guesses get exactly `limit` slots.
 * Keys are HMACs, so the collection holds no usernames or addresses in clear.
 */

export type RateLimitRule = { limit: number; windowSeconds: number };
export type LimitKey = { key: string; rule: RateLimitRule };

type Slot = { _id: string; key: string; at: Date; expiresAt: Date };
type Marker = { _id: string; expiresAt: Date };

/**
 * Keys found full, and until when, so a flood of requests from one refused
 * address is answered from memory instead of reading its slots every time.
 * Safe to trust until then: while a key is full no slot can be added to it,
 * and the only early way out, a success (release, clearAttempts), forgets
 * the key here too. Per process, and bounded.
 */
const refusedUntil = new Map<string, number>();
const REFUSED_MEMORY = 10_000;

/** The policy; the README's "Sign-in protection" explains it. */
export const RULES = {
  /** One address guessing one account: the tight limit, and it locks out only that address. */
  pair: { limit: 5, windowSeconds: 5 * 60 },
  /** One address spraying many accounts. */
  address: { limit: 30, windowSeconds: 15 * 60 },
  /** Many addresses guessing one account: a slower back-off that the owner's known addresses skip. */
  account: { limit: 20, windowSeconds: 60 * 60 },
  /** Re-entering the current password (change password, delete account). */
  passwordCheck: { limit: 5, windowSeconds: 15 * 60 },
  /** Failed passkey sign-ins from one address (a passkey names its account, so there is no per-account pair). */
  passkeySignIn: { limit: 30, windowSeconds: 15 * 60 },
  /** Passkey sign-in challenges one address may ask for: each is a database write made before any sign-in. */
  passkeyChallenge: { limit: 120, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimitRule>;

/** How long an address that signed in successfully stays "known" for its account. */
const KNOWN_ADDRESS_DAYS = 30;

function hashKey(raw: string): string {
  return createHmac("sha256", requireEnv("AUTH_SECRET")).update(`rate-limit\0${raw}`).digest("base64url").slice(0, 32);
}

/** A limit key for a purpose and its parts (username, address, user id). */
export function limitKey(purpose: string, ...parts: string[]): string {
  return hashKey([purpose, ...parts].join("\0"));
}

async function slots() {
  return (await getDb()).collection<Slot>("login_attempts");
}

async function markers() {
  return (await getDb()).collection<Marker>("known_addresses");
}

function windowOf(rule: RateLimitRule, now: number) {
  const ms = rule.windowSeconds * 1000;
  return { id: (Math.floor(now / ms) * ms).toString(36), ms };
}

/**
 * The attempts that still count at `now`: those of the last `windowSeconds`,
 * a true sliding window. Fixed windows alone would let a guesser spend a full
 * limit at the end of one window and another at the start of the next, and
 * would free an address refused a second before a boundary. One equality
 * lookup on the key: it holds at most the current and previous windows'
 * slots, plus any the sweeper has not reached yet.
 */
async function liveAttempts(key: string, rule: RateLimitRule, now: number) {
  const win = windowOf(rule, now);
  const prefix = `${key}#${win.id}#`;
  const docs = await (await slots()).find({ key }, { projection: { at: 1 } }).toArray();
  const live = docs.filter((d) => d.at.getTime() > now - win.ms);
  const inWindow = live.filter((d) => d._id.startsWith(prefix)).length;
  return { prefix, win, times: live.map((d) => d.at.getTime()).sort((x, y) => x - y), inWindow, fromEarlier: live.length - inWindow };
}

/** When enough of the oldest attempts have slid out that one more fits. */
function freeAt(rule: RateLimitRule, times: number[]): number {
  return times[times.length - rule.limit] + rule.windowSeconds * 1000;
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** Takes one slot for `key`: its id, or the seconds until one is free when there is none. */
async function reserveOne({ key, rule }: LimitKey, now: number): Promise<{ slot: string } | { wait: number }> {
  const coll = await slots();
  const { prefix, win, times, inWindow, fromEarlier } = await liveAttempts(key, rule, now);
  // Start probing past the slots already taken; the unique insert is what decides.
  for (let i = inWindow; i < rule.limit - fromEarlier; i++) {
    const slot = `${prefix}${i}`;
    try {
      await coll.insertOne({ _id: slot, key, at: new Date(now), expiresAt: new Date(now + win.ms) });
      return { slot };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  // Lost races: whoever took those slots took them just now, so they leave last.
  const all = times.length >= rule.limit ? times : (await liveAttempts(key, rule, now)).times;
  return { wait: all.length >= rule.limit ? secondsUntil(freeAt(rule, all), now) : 1 };
}

export type Reservation = {
  /** Gives the slots back: the attempt succeeded and should not count as a failure. */
  release: () => Promise<void>;
};

/**
 * Reserves one attempt against every key, in order, before the caller does the
 * expensive or sensitive check. Throws rate_limited at the first full key.
 * Attempts in flight count, so parallel guesses cannot all slip through.
 */
export async function reserveAttempt({ keys, message }: { keys: LimitKey[]; message: (wait: string) => string }): Promise<Reservation> {
  const now = Date.now();
  const taken: string[] = [];
  for (const k of keys) {
    const r = await reserveOne(k, now);
    if ("wait" in r) throw new AppError("rate_limited", message(formatWait(r.wait)), { retryAfterSeconds: r.wait });
    taken.push(r.slot);
  }
  return {
    release: async () => {
      for (const k of keys) refusedUntil.delete(k.key);
      if (taken.length) await (await slots()).deleteMany({ _id: { $in: taken } });
    },
  };
}

/** Forgets the attempts counted against `keys` (a success ends the guessing). */
export async function clearAttempts({ keys }: { keys: LimitKey[] }): Promise<void> {
  const coll = await slots();
  for (const k of keys) {
    refusedUntil.delete(k.key);
    await coll.deleteMany({ key: k.key });
  }
}

export async function rememberAddress({ key }: { key: string }): Promise<void> {
  const expiresAt = new Date(Date.now() + KNOWN_ADDRESS_DAYS * 86_400_000);
  await (await markers()).updateOne({ _id: key }, { $set: { expiresAt } }, { upsert: true }).catch((err) => {
    // Two sign-ins at once both upsert; either one's marker will do.
    if (!isDuplicateKeyError(err)) throw err;
  });
}

export async function isKnownAddress({ key }: { key: string }): Promise<boolean> {
  const doc = await (await markers()).findOne({ _id: key });
  return Boolean(doc && doc.expiresAt.getTime() > Date.now());
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Removes finished windows and stale markers; MongoDB's TTL index does this too, FerretDB needs it. */
export async function sweepExpiredAttempts(): Promise<number> {
  const now = new Date();
  const a = await (await slots()).deleteMany({ expiresAt: { $lte: now } });
  const b = await (await markers()).deleteMany({ expiresAt: { $lte: now } });
  return a.deletedCount + b.deletedCount;
}

/** Whether `key` has no slot left now, without taking one (checked before a lookup whose misses are counted): the seconds to wait, or null. */
export async function isRateLimited({ key, rule }: LimitKey): Promise<number | null> {
  const now = Date.now();
  const until = refusedUntil.get(key);
  if (until !== undefined && until > now) return secondsUntil(until, now);
  refusedUntil.delete(key);
  const { times } = await liveAttempts(key, rule, now);
  if (times.length < rule.limit) return null;
  const at = freeAt(rule, times);
  if (refusedUntil.size >= REFUSED_MEMORY) refusedUntil.delete(refusedUntil.keys().next().value!);
  refusedUntil.set(key, at);
  return secondsUntil(at, now);
}
