import "server-only";

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import { openJson, sealJson, toBuffer } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { ownerKey } from "@/lib/owner-keys";

/**
 * The shape of an owner's library, so that every per-request cost is
 * independent of its size on the embedded FerretDB, which pushes down only
 * top-level equality and never sort, range or limit (docs/DESIGN.md, "Listing").
 *
 * Images are grouped into buckets of at most BUCKET_CAPACITY by the day they
 * were taken (upload day when there is no EXIF date). Each image record holds
 * its bucket's random key in `pageKey`, so loading a bucket is one equality
 * query. The list of buckets in timeline order, with their day and live and
 * trashed counts, is the owner's *summary*: one document, sealed under a key
 * derived from the owner's root key, because the days are as private as the
 * dates inside the images. A page reads the summary, then one or two buckets.
 */

export const BUCKET_CAPACITY = 64;

/** One bucket: key, day (YYYY-MM-DD), live count, trashed count. */
export type Bucket = { k: string; d: string; n: number; t: number };
export type Summary = { buckets: Bucket[] };

type LibraryDoc = { _id: string; nonce: Buffer; sealed: Buffer; updatedAt: Date };

/** What the summary needs to know about one image when it is (re)placed. */
export type Placement = { day: string };
export type CountChange = { pageKey: string; live: number; trashed: number };

async function libraries() {
  return (await getDb()).collection<LibraryDoc>("libraries");
}

const lockName = (ownerId: string) => `library:${ownerId}`;
// The summary's AAD names the owner: a summary copied onto another owner's record does not open.
const sealId = (ownerId: string) => `library:${ownerId}`;

export async function readSummary({ ownerId }: { ownerId: string }): Promise<Summary | null> {
  const doc = await (await libraries()).findOne({ _id: ownerId });
  if (!doc) return null;
  const key = await ownerKey({ ownerId, purpose: "library" });
  return openJson({ dek: key, imageId: sealId(ownerId), nonce: toBuffer(doc.nonce), sealed: toBuffer(doc.sealed) }) as Summary;
}

async function writeSummary(ownerId: string, summary: Summary): Promise<void> {
  const key = await ownerKey({ ownerId, purpose: "library" });
  const { nonce, sealed } = sealJson({ dek: key, imageId: sealId(ownerId), value: summary });
  await (await libraries()).updateOne({ _id: ownerId }, { $set: { nonce, sealed, updatedAt: new Date() } }, { upsert: true });
}

/** Summaries change only under the owner's lock: FerretDB has no atomic read-modify-write (lib/locks.ts). */
export function withSummary<T>(ownerId: string, fn: (summary: Summary | null) => Promise<{ summary: Summary | null; result: T }>): Promise<T> {
  return withLock({ name: lockName(ownerId), ttlMs: 120_000, waitMs: 30_000 }, async () => {
    const before = await readSummary({ ownerId });
    const { summary, result } = await fn(before);
    if (summary) await writeSummary(ownerId, summary);
    return result;
  });
}

/** Picks (or opens) the bucket for an image of `day`; the summary is changed in place. */
export function placeIn(summary: Summary, { day }: Placement): Bucket {
  const { buckets } = summary;
  // Newest day first; within a day, the newest bucket first.
  let at = buckets.findIndex((b) => b.d <= day);
  if (at === -1) at = buckets.length;
  // Only the day's newest bucket takes more: filling an older one again would put a new
  // upload behind older ones of the same day.
  if (at < buckets.length && buckets[at].d === day && buckets[at].n + buckets[at].t < BUCKET_CAPACITY) return buckets[at];
  const fresh: Bucket = { k: randomBytes(12).toString("base64url"), d: day, n: 0, t: 0 };
  buckets.splice(at, 0, fresh);
  return fresh;
}

/**
 * Adds one image: picks its bucket, runs `insert` with the bucket key (the
 * record is written inside the lock, so the count never runs ahead of what
 * exists), then counts it.
 */
export async function addToLibrary({
  ownerId,
  placement,
  insert,
}: {
  ownerId: string;
  placement: Placement;
  insert: (pageKey: string) => Promise<void>;
}): Promise<void> {
  await withSummary(ownerId, async (current) => {
    const summary = current ?? { buckets: [] };
    const bucket = placeIn(summary, placement);
    await insert(bucket.k);
    bucket.n++;
    return { summary, result: undefined };
  });
}

/** Applies count changes (trash, restore, delete) after the records changed. */
export async function changeCounts({ ownerId, changes }: { ownerId: string; changes: CountChange[] }): Promise<void> {
  if (changes.length === 0) return;
  await withSummary(ownerId, async (summary) => {
    if (!summary) return { summary: null, result: undefined };
    const byKey = new Map(summary.buckets.map((b) => [b.k, b]));
    for (const c of changes) {
      const b = byKey.get(c.pageKey);
      if (!b) continue; // the sweeper's reconcile puts unknown buckets back
      b.n = Math.max(0, b.n + c.live);
      b.t = Math.max(0, b.t + c.trashed);
    }
    // Empty buckets go: the summary stays as small as the library.
    summary.buckets = summary.buckets.filter((b) => b.n + b.t > 0);
    return { summary, result: undefined };
  });
}

export async function deleteLibrary({ ownerId }: { ownerId: string }): Promise<void> {
  await (await libraries()).deleteOne({ _id: ownerId });
}

/** Live or trashed total from the summary: O(buckets), never a count over records. */
export function totalOf(summary: Summary | null, trashed: boolean): number {
  return (summary?.buckets ?? []).reduce((sum, b) => sum + (trashed ? b.t : b.n), 0);
}

/**
 * Page cursors: the bucket, its day (to continue after a bucket that emptied
 * meanwhile) and the sort position of the last item shown. MACed under the
 * owner's cursor key, so a tampered cursor, or one from another owner, is
 * refused instead of being trusted.
 */
export type Cursor = { k: string; d: string; at: number; id: string };

export async function encodeCursor({ ownerId, cursor }: { ownerId: string; cursor: Cursor }): Promise<string> {
  const body = Buffer.from(JSON.stringify([cursor.k, cursor.d, cursor.at, cursor.id])).toString("base64url");
  const mac = createHmac("sha256", await ownerKey({ ownerId, purpose: "cursor" })).update(body).digest().subarray(0, 16);
  return `${body}.${mac.toString("base64url")}`;
}

export async function decodeCursor({ ownerId, cursor }: { ownerId: string; cursor: string }): Promise<Cursor> {
  const invalid = new AppError("invalid_input", "That page link is not valid.");
  const [body, mac] = cursor.split(".");
  if (!body || !mac || cursor.length > 400) throw invalid;
  const expected = createHmac("sha256", await ownerKey({ ownerId, purpose: "cursor" })).update(body).digest().subarray(0, 16);
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
  const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as unknown;
  if (!Array.isArray(parsed) || parsed.length !== 4) throw invalid;
  const [k, d, at, id] = parsed;
  if (typeof k !== "string" || typeof d !== "string" || typeof at !== "number" || typeof id !== "string") throw invalid;
  return { k, d, at, id };
}

/** The day and sort time of an image: EXIF date taken as wall-clock time, else the upload time. */
export function timelinePosition({ takenAt, createdAt }: { takenAt?: string | null; createdAt: Date }): { day: string; at: number } {
  if (takenAt && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(takenAt)) {
    const at = Date.parse(`${takenAt.slice(0, 19)}Z`);
    if (Number.isFinite(at)) return { day: takenAt.slice(0, 10), at };
  }
  return { day: createdAt.toISOString().slice(0, 10), at: createdAt.getTime() };
}
