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
 * top-level equality and never sort, range or limit (README "Design", "Listing").
 *
 * The timeline (newest first by date taken, else upload time) is cut into
 * buckets of at most BUCKET_CAPACITY consecutive images, like the leaves of a
 * B-tree: each covers a range of timeline positions, ranges never overlap,
 * and a bucket that overflows splits in two. Each image record holds its
 * bucket's random key in `pageKey`, so loading a bucket is one equality
 * query. The list of buckets in order, with their ranges and live and
 * trashed counts, is the owner's *summary*: one document, sealed under a key
 * derived from the owner's root key, because the ranges are dates taken. A
 * page reads the summary, then the one or two buckets it spans.
 */

export const BUCKET_CAPACITY = 64;

/** A timeline position: [sort time in ms, image id]; ids break ties. */
export type Pos = [number, string];
/** One bucket: key, newest and oldest position, live and trashed counts, live count per month ("YYYY-MM"). */
export type Bucket = { k: string; hi: Pos; lo: Pos; n: number; t: number; m: Record<string, number> };
/**
 * One trash bucket: images in the trash, ordered by [time trashed in ms, id]
 * (the trash page's order, newest first). Trashing always adds the newest
 * positions, so new trash only ever fills the head bucket or opens a new one:
 * no splits. Each trashed record holds its bucket's key in `trashKey`, so a
 * trash page is one equality query per bucket it spans, like the timeline's,
 * however the trash is spread over the library.
 */
export type TrashBucket = { k: string; hi: Pos; lo: Pos; n: number };
/** `trash` is absent only in summaries written before trash buckets; ensureLibrary rebuilds those once. */
export type Summary = { buckets: Bucket[]; trash?: TrashBucket[] };

type LibraryDoc = { _id: string; nonce: Buffer; sealed: Buffer; updatedAt: Date; tag?: string };
/** A summary's version: a tiny document read on every request in place of the summary itself. */
type HeadDoc = { _id: string; tag: string };

export type Member = { id: string; pos: Pos; trashed: boolean };
/** `trashKey`: the trash bucket an image leaves (restore, delete forever) when `trashed` is -1. */
export type CountChange = { pageKey: string; live: number; trashed: number; month: string; trashKey?: string };

/** The month a position falls in, for the date scrubber. */
export function monthOf(pos: Pos): string {
  return new Date(pos[0]).toISOString().slice(0, 7);
}

/** Ascending order of positions. */
export function comparePos(a: Pos, b: Pos): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

async function libraries() {
  return (await getDb()).collection<LibraryDoc>("libraries");
}

async function heads() {
  return (await getDb()).collection<HeadDoc>("library_heads");
}

/**
 * Opened summaries by owner, each with the tag it was written under. The
 * summary grows with the library (about 37 KB sealed at 10,000 images, 3.5 ms
 * more to read than at 100), while its head is a few bytes: a request reads
 * the head and opens the summary only when the tag moved, so reads cost the
 * same at any size and stay right when another instance writes. Writers put
 * the new tag in the head first, then the summary with it; a crash between
 * the two leaves tags that differ, and a summary whose tag is not the head's
 * is used but never cached, until the next write.
 */
const opened = new Map<string, { tag: string; summary: Summary }>();
const OPENED_MAX = 64;

function remember(ownerId: string, tag: string, summary: Summary): void {
  opened.delete(ownerId);
  if (opened.size >= OPENED_MAX) opened.delete(opened.keys().next().value as string);
  opened.set(ownerId, { tag, summary: structuredClone(summary) });
}

const lockName = (ownerId: string) => `library:${ownerId}`;
// The summary's AAD names the owner: a summary copied onto another owner's record does not open.
const sealId = (ownerId: string) => `library:${ownerId}`;

/** The owner's summary; callers may change the copy they get (withSummary writes it back). */
export async function readSummary({ ownerId }: { ownerId: string }): Promise<Summary | null> {
  const head = await (await heads()).findOne({ _id: ownerId });
  const hit = head ? opened.get(ownerId) : undefined;
  if (hit && hit.tag === head!.tag) return structuredClone(hit.summary);
  const doc = await (await libraries()).findOne({ _id: ownerId });
  if (!doc) return null;
  const key = await ownerKey({ ownerId, purpose: "library" });
  const summary = openJson({ dek: key, imageId: sealId(ownerId), nonce: toBuffer(doc.nonce), sealed: toBuffer(doc.sealed) }) as Summary;
  for (const b of summary.buckets) b.m ??= {};
  if (head && doc.tag === head.tag) remember(ownerId, head.tag, summary);
  return summary;
}

async function writeSummary(ownerId: string, summary: Summary): Promise<void> {
  const key = await ownerKey({ ownerId, purpose: "library" });
  const { nonce, sealed } = sealJson({ dek: key, imageId: sealId(ownerId), value: summary });
  const tag = randomBytes(12).toString("base64url");
  opened.delete(ownerId);
  await (await heads()).updateOne({ _id: ownerId }, { $set: { tag } }, { upsert: true });
  await (await libraries()).updateOne({ _id: ownerId }, { $set: { nonce, sealed, tag, updatedAt: new Date() } }, { upsert: true });
  remember(ownerId, tag, summary);
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

const newKey = () => randomBytes(12).toString("base64url");

/** The bucket a new position belongs to (its range is widened to cover it); the summary changes in place. */
export function placeIn(summary: Summary, pos: Pos): Bucket {
  const { buckets } = summary;
  if (buckets.length === 0) {
    const fresh: Bucket = { k: newKey(), hi: pos, lo: pos, n: 0, t: 0, m: {} };
    buckets.push(fresh);
    return fresh;
  }
  // The newest bucket that starts at or before this position; older than all: the oldest bucket.
  let i = buckets.findIndex((b) => comparePos(b.lo, pos) <= 0);
  if (i === -1) i = buckets.length - 1;
  const b = buckets[i];
  if (comparePos(pos, b.hi) > 0) b.hi = pos;
  if (comparePos(pos, b.lo) < 0) b.lo = pos;
  return b;
}

/** Cuts members (any order) into full buckets, newest first: migration and repair. */
export function bucketsFor(members: Member[], fill = Math.floor(BUCKET_CAPACITY * 0.75)): { bucket: Bucket; ids: string[] }[] {
  const sorted = [...members].sort((x, y) => comparePos(y.pos, x.pos));
  const out: { bucket: Bucket; ids: string[] }[] = [];
  for (let i = 0; i < sorted.length; i += fill) {
    const slice = sorted.slice(i, i + fill);
    out.push({ bucket: describe(newKey(), slice), ids: slice.map((m) => m.id) });
  }
  return out;
}

/** A bucket's summary entry from its members, sorted newest first. */
export function describe(k: string, sortedDesc: Member[]): Bucket {
  const months: Record<string, number> = {};
  let t = 0;
  for (const member of sortedDesc) {
    if (member.trashed) t++;
    else months[monthOf(member.pos)] = (months[monthOf(member.pos)] ?? 0) + 1;
  }
  return { k, hi: sortedDesc[0].pos, lo: sortedDesc[sortedDesc.length - 1].pos, n: sortedDesc.length - t, t, m: months };
}

/**
 * Adds one image: picks its bucket, runs `insert` with the bucket key (the
 * record is written inside the lock, so the count never runs ahead of what
 * exists), counts it, and splits the bucket if it overflowed: the older half
 * moves to a new key (`move`, one bulk write of at most half a bucket).
 */
export async function addToLibrary({
  ownerId,
  pos,
  trashed = false,
  insert,
  members,
  move,
}: {
  ownerId: string;
  pos: Pos;
  trashed?: boolean;
  insert: (pageKey: string) => Promise<void>;
  members: (pageKey: string) => Promise<Member[]>;
  move: (ids: string[], pageKey: string) => Promise<void>;
}): Promise<void> {
  await withSummary(ownerId, async (current) => {
    const summary = current ?? { buckets: [], trash: [] };
    const bucket = placeIn(summary, pos);
    await insert(bucket.k);
    if (trashed) bucket.t++;
    else {
      bucket.n++;
      bucket.m[monthOf(pos)] = (bucket.m[monthOf(pos)] ?? 0) + 1;
    }
    if (bucket.n + bucket.t > BUCKET_CAPACITY) {
      const all = (await members(bucket.k)).sort((x, y) => comparePos(y.pos, x.pos));
      const half = Math.ceil(all.length / 2);
      const older = all.slice(half);
      const split = describe(newKey(), older);
      await move(
        older.map((m) => m.id),
        split.k,
      );
      Object.assign(bucket, describe(bucket.k, all.slice(0, half)));
      summary.buckets.splice(summary.buckets.indexOf(bucket) + 1, 0, split);
    }
    return { summary, result: undefined };
  });
}

/** Applies count changes (trash, restore, delete) to a summary in place; unknown buckets are left to the sweeper's rebuild. */
export function applyChanges(summary: Summary, changes: CountChange[]): void {
  const byKey = new Map(summary.buckets.map((b) => [b.k, b]));
  const trashByKey = new Map((summary.trash ?? []).map((b) => [b.k, b]));
  for (const c of changes) {
    const trashBucket = c.trashKey && c.trashed < 0 ? trashByKey.get(c.trashKey) : undefined;
    if (trashBucket) trashBucket.n = Math.max(0, trashBucket.n - 1);
    const b = byKey.get(c.pageKey);
    if (!b) continue;
    b.n = Math.max(0, b.n + c.live);
    b.t = Math.max(0, b.t + c.trashed);
    const inMonth = Math.max(0, (b.m[c.month] ?? 0) + c.live);
    if (inMonth > 0) b.m[c.month] = inMonth;
    else delete b.m[c.month];
  }
  // Empty buckets go: the summary stays as small as the library.
  summary.buckets = summary.buckets.filter((b) => b.n + b.t > 0);
  if (summary.trash) summary.trash = summary.trash.filter((b) => b.n > 0);
}

/** Applies count changes (restore, delete) after the records changed. */
export async function changeCounts({ ownerId, changes }: { ownerId: string; changes: CountChange[] }): Promise<void> {
  if (changes.length === 0) return;
  await withSummary(ownerId, async (summary) => {
    if (!summary) return { summary: null, result: undefined };
    applyChanges(summary, changes);
    return { summary, result: undefined };
  });
}

/**
 * Files images into the trash (the summary changes in place), oldest first so
 * the head bucket fills in order, and answers each image's trash bucket key.
 * Positions are [time trashed, id], newer than all trash so far.
 */
export function placeInTrash(summary: Summary, members: { id: string; pos: Pos }[]): Map<string, string> {
  const trash = (summary.trash ??= []);
  const keys = new Map<string, string>();
  for (const m of [...members].sort((x, y) => comparePos(x.pos, y.pos))) {
    let head = trash[0];
    if (!head || head.n >= BUCKET_CAPACITY) {
      head = { k: newKey(), hi: m.pos, lo: m.pos, n: 0 };
      trash.unshift(head);
    }
    if (comparePos(m.pos, head.hi) > 0) head.hi = m.pos;
    if (comparePos(m.pos, head.lo) < 0) head.lo = m.pos;
    head.n++;
    keys.set(m.id, head.k);
  }
  return keys;
}

/** Trash buckets from trashed members: kept as keyed when every one has a key, else cut afresh (`rekey` lists what moves). */
export function trashBucketsFor(members: (Member & { trashKey?: string })[]): { trash: TrashBucket[]; rekey: { bucket: TrashBucket; ids: string[] }[] } {
  const describeTrash = (k: string, list: Member[]): TrashBucket => {
    const sorted = [...list].sort((x, y) => comparePos(y.pos, x.pos));
    return { k, hi: sorted[0].pos, lo: sorted[sorted.length - 1].pos, n: sorted.length };
  };
  if (members.every((m) => m.trashKey)) {
    const byKey = new Map<string, Member[]>();
    for (const m of members) byKey.set(m.trashKey!, [...(byKey.get(m.trashKey!) ?? []), m]);
    const trash = [...byKey].map(([k, list]) => describeTrash(k, list)).sort((x, y) => comparePos(y.hi, x.hi));
    return { trash, rekey: [] };
  }
  const sorted = [...members].sort((x, y) => comparePos(y.pos, x.pos));
  const rekey: { bucket: TrashBucket; ids: string[] }[] = [];
  for (let i = 0; i < sorted.length; i += BUCKET_CAPACITY) {
    const slice = sorted.slice(i, i + BUCKET_CAPACITY);
    rekey.push({ bucket: describeTrash(newKey(), slice), ids: slice.map((m) => m.id) });
  }
  return { trash: rekey.map((r) => r.bucket), rekey };
}

/** Trashed total from the trash buckets. */
export function trashTotalOf(summary: Summary | null): number {
  return (summary?.trash ?? []).reduce((sum, b) => sum + b.n, 0);
}

export async function deleteLibrary({ ownerId }: { ownerId: string }): Promise<void> {
  opened.delete(ownerId);
  await (await heads()).deleteOne({ _id: ownerId });
  await (await libraries()).deleteOne({ _id: ownerId });
}

/** Months with photos, newest first, with how many: the date scrubber's marks. */
export function monthsOf(summary: Summary | null): { month: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const b of summary?.buckets ?? []) for (const [month, n] of Object.entries(b.m ?? {})) totals.set(month, (totals.get(month) ?? 0) + n);
  return [...totals].filter(([, n]) => n > 0).sort((x, y) => (x[0] < y[0] ? 1 : -1)).map(([month, count]) => ({ month, count }));
}

/** The position just after a month's last possible moment: listing "after" it starts with that month's newest photo. */
export function monthStart(month: string): Pos {
  const [y, mo] = month.split("-").map(Number);
  return [Date.UTC(y, mo, 1), ""];
}

/** Live or trashed total from the summary: O(buckets), never a count over records. */
export function totalOf(summary: Summary | null, trashed: boolean): number {
  if (trashed) return trashTotalOf(summary);
  return (summary?.buckets ?? []).reduce((sum, b) => sum + b.n, 0);
}

/**
 * Page cursors: the timeline position of the last item shown, MACed under the
 * owner's cursor key, so a tampered cursor, or one from another owner, is
 * refused instead of trusted. A position stays meaningful while buckets
 * split, empty or get rebuilt in between two pages.
 */
export async function encodeCursor({ ownerId, pos }: { ownerId: string; pos: Pos }): Promise<string> {
  const body = Buffer.from(JSON.stringify(pos)).toString("base64url");
  const mac = createHmac("sha256", await ownerKey({ ownerId, purpose: "cursor" })).update(body).digest().subarray(0, 16);
  return `${body}.${mac.toString("base64url")}`;
}

export async function decodeCursor({ ownerId, cursor }: { ownerId: string; cursor: string }): Promise<Pos> {
  const invalid = new AppError("invalid_input", "That page link is not valid.");
  const [body, mac, extra] = cursor.split(".");
  if (!body || !mac || extra !== undefined || cursor.length > 400) throw invalid;
  const expected = createHmac("sha256", await ownerKey({ ownerId, purpose: "cursor" })).update(body).digest().subarray(0, 16);
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
  const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as unknown;
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== "number" || typeof parsed[1] !== "string") throw invalid;
  return [parsed[0], parsed[1]];
}

/** Where an image sits on the timeline: EXIF date taken read as wall-clock time, else the upload time. */
export function timelinePosition({ id, takenAt, createdAt }: { id: string; takenAt?: string | null; createdAt: Date }): Pos {
  if (takenAt && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(takenAt)) {
    const at = Date.parse(`${takenAt.slice(0, 19)}Z`);
    if (Number.isFinite(at)) return [at, id];
  }
  return [createdAt.getTime(), id];
}
