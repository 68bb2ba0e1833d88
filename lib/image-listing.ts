import "server-only";

import { limits } from "@/lib/config";
import { bulkWriteInBatches } from "@/lib/db";
import type { GalleryPage, Neighbours } from "@/lib/gallery-types";
import { type ImageDoc, type Listed, findOwned, images, openMeta, positionOf, toGalleryItem } from "@/lib/images";
import {
  type Member,
  type Pos,
  type Summary,
  bucketsFor,
  comparePos,
  decodeCursor,
  describe,
  encodeCursor,
  monthStart,
  monthsOf,
  readSummary,
  totalOf,
  trashBucketsFor,
  withSummary,
} from "@/lib/library";

/**
 * The timeline and the trash as the gallery walks them: pages behind a
 * cursor, months for the scrubber, a photo's neighbours and the counts, all
 * read through the owner's summary (lib/library.ts), which is built and
 * repaired here from the image records. Like lib/images.ts, every function
 * takes the ownerId and filters by it.
 */

/** Where a trashed image sits in the trash: when it was trashed, ids breaking ties. */
function trashPositionOf(doc: Pick<ImageDoc, "_id" | "trashedAt">): Pos {
  return [doc.trashedAt?.getTime() ?? 0, doc._id];
}

/** One trash bucket's images, most recently trashed first: a single equality query. */
async function trashBucketImages({ ownerId, trashKey }: { ownerId: string; trashKey: string }): Promise<Listed[]> {
  const docs = await (await images()).find({ trashKey, ownerId }, { projection: { blobs: 0 } }).toArray();
  return docs
    .filter((doc) => doc.trashedAt !== null)
    .map((doc) => ({ doc, meta: openMeta(doc), pos: trashPositionOf(doc) }))
    .sort((x, y) => comparePos(y.pos, x.pos));
}

/** One bucket's images in the requested state, newest first: a single equality query of at most BUCKET_CAPACITY records. */
async function bucketImages({ ownerId, pageKey, trashed }: { ownerId: string; pageKey: string; trashed: boolean }): Promise<Listed[]> {
  const docs = await (await images()).find({ pageKey, ownerId }, { projection: { blobs: 0 } }).toArray();
  return docs
    .filter((doc) => (doc.trashedAt !== null) === trashed)
    .map((doc) => {
      const meta = openMeta(doc);
      return { doc, meta, pos: positionOf(doc, meta) };
    })
    .sort((x, y) => comparePos(y.pos, x.pos));
}

/**
 * A page of the timeline, newest first by date taken, or of the trash, most
 * recently trashed first. Costs one summary read plus one query per bucket
 * the page spans, whatever the library's or the trash's size. A cursor that
 * was tampered with or belongs to another owner is a 400.
 */
export async function listImages({
  ownerId,
  cursor,
  limit = limits.galleryPageSize,
  trashed = false,
  from,
}: {
  ownerId: string;
  cursor?: string | null;
  limit?: number;
  trashed?: boolean;
  /** "YYYY-MM": start at that month's newest photo (the date scrubber); ignored with a cursor. */
  from?: string | null;
}): Promise<GalleryPage> {
  const summary = await ensureLibrary({ ownerId });
  const month = !trashed && from && /^\d{4}-(0[1-9]|1[0-2])$/.test(from) ? monthStart(from) : null;
  const after = cursor ? await decodeCursor({ ownerId, cursor }) : month;
  const ranges: { k: string; lo: Pos }[] = trashed ? (summary.trash ?? []) : summary.buckets.filter((b) => b.n > 0);
  const buckets = ranges.filter((b) => !after || comparePos(b.lo, after) < 0);
  const items: Listed[] = [];
  let nextCursor: string | null = null;
  for (let i = 0; i < buckets.length; i++) {
    let listed = trashed
      ? await trashBucketImages({ ownerId, trashKey: buckets[i].k })
      : await bucketImages({ ownerId, pageKey: buckets[i].k, trashed: false });
    if (after) listed = listed.filter((item) => comparePos(item.pos, after) < 0);
    const room = limit - items.length;
    items.push(...listed.slice(0, room));
    if (listed.length > room || (items.length === limit && i + 1 < buckets.length)) {
      nextCursor = await encodeCursor({ ownerId, pos: items[items.length - 1].pos });
      break;
    }
  }
  return { items: items.map(({ doc, meta }) => toGalleryItem(doc, meta)), nextCursor, total: totalOf(summary, trashed) };
}

/** The months that hold photos, newest first, with counts: from the summary alone. */
export async function listMonths({ ownerId }: { ownerId: string }): Promise<{ month: string; count: number }[]> {
  return monthsOf(await ensureLibrary({ ownerId }));
}

/**
 * The owner's summary, built on first use for a library that predates it (or
 * lost it). Linear, once.
 */
export async function ensureLibrary({ ownerId }: { ownerId: string }): Promise<Summary> {
  const existing = await readSummary({ ownerId });
  if (existing?.trash) return existing;
  return rebuildLibrary({ ownerId, unlessCurrent: true });
}

/**
 * Recomputes the summary from the records themselves: ranges and counts per
 * bucket. Records without a bucket (data from before buckets) are all cut
 * into fresh buckets. The sweeper runs it to repair a summary left wrong by a
 * crash between a record write and the summary write (FerretDB 1.x has no
 * transactions). Linear in the owner's images.
 */
export async function rebuildLibrary({
  ownerId,
  unlessCurrent = false,
}: {
  ownerId: string;
  /** Keep a current summary another request built while this one waited for the lock. */
  unlessCurrent?: boolean;
}): Promise<Summary> {
  return withSummary(ownerId, async (current) => {
    if (unlessCurrent && current?.trash) return { summary: null, result: current };
    const coll = await images();
    const byKey = new Map<string, Member[]>();
    const all: Member[] = [];
    const inTrash: (Member & { trashKey?: string })[] = [];
    let unplaced = 0;
    for await (const doc of coll.find({ ownerId }, { projection: { blobs: 0 } })) {
      const member: Member = { id: doc._id, pos: positionOf(doc), trashed: doc.trashedAt !== null };
      all.push(member);
      if (member.trashed) inTrash.push({ id: doc._id, pos: trashPositionOf(doc), trashed: true, trashKey: doc.trashKey });
      if (!doc.pageKey) unplaced++;
      else byKey.set(doc.pageKey, [...(byKey.get(doc.pageKey) ?? []), member]);
    }
    const rekey = async (cuts: { bucket: { k: string }; ids: string[] }[], field: "pageKey" | "trashKey") => {
      for (const { bucket, ids } of cuts) {
        await bulkWriteInBatches(
          coll,
          ids.map((_id) => ({ updateOne: { filter: { _id, ownerId }, update: { $set: { [field]: bucket.k } } } })),
        );
      }
    };
    const trash = trashBucketsFor(inTrash);
    await rekey(trash.rekey, "trashKey");
    if (unplaced === 0) {
      const buckets = [...byKey].map(([k, members]) => describe(k, members.sort((x, y) => comparePos(y.pos, x.pos))));
      const summary: Summary = { buckets: buckets.sort((x, y) => comparePos(y.hi, x.hi)), trash: trash.trash };
      return { summary, result: summary };
    }
    const cut = bucketsFor(all);
    await rekey(cut, "pageKey");
    const summary: Summary = { buckets: cut.map((c) => c.bucket), trash: trash.trash };
    return { summary, result: summary };
  });
}

/**
 * The photos either side of one in timeline order (newest first), for Previous
 * and Next on a photo's own page: the image's bucket, and at an edge the next
 * non-empty bucket along, so a few equality queries at any library size.
 */
export async function getImageNeighbours({
  ownerId,
  imageId,
}: {
  ownerId: string;
  imageId: string;
}): Promise<Neighbours> {
  const doc = await findOwned({ ownerId, imageId });
  const summary = await ensureLibrary({ ownerId });
  const buckets = summary.buckets.filter((b) => b.n > 0);
  const at = buckets.findIndex((b) => b.k === doc.pageKey);
  if (at < 0) return { previous: null, next: null };
  const here = await bucketImages({ ownerId, pageKey: buckets[at].k, trashed: false });
  const i = here.findIndex((item) => item.doc._id === imageId);
  const along = async (step: -1 | 1): Promise<Listed | null> => {
    const inBucket = here[i + step];
    if (inBucket) return inBucket;
    for (let b = at + step; b >= 0 && b < buckets.length; b += step) {
      const listed = await bucketImages({ ownerId, pageKey: buckets[b].k, trashed: false });
      if (listed.length) return step === 1 ? listed[0] : listed[listed.length - 1];
    }
    return null;
  };
  const [previous, next] = await Promise.all([along(-1), along(1)]);
  const item = (listed: Listed | null) => (listed ? toGalleryItem(listed.doc, listed.meta) : null);
  return { previous: item(previous), next: item(next) };
}

/** From the summary: O(buckets), the same at 100 or 50,000 images. */
export async function countImages({ ownerId, trashed = false }: { ownerId: string; trashed?: boolean }): Promise<number> {
  return totalOf(await ensureLibrary({ ownerId }), trashed);
}

/**
 * The owner's trashed image ids, from the trash buckets: O(trash), not
 * O(library). Albums and shares hide these at read time, so trash and
 * restore never touch memberships.
 */
export async function trashedImageIds({ ownerId }: { ownerId: string }): Promise<Set<string>> {
  const summary = await ensureLibrary({ ownerId });
  const coll = await images();
  const out = new Set<string>();
  for (const bucket of summary.trash ?? []) {
    for (const doc of await coll.find({ trashKey: bucket.k, ownerId }, { projection: { _id: 1, trashedAt: 1 } }).toArray()) {
      if (doc.trashedAt !== null) out.add(doc._id);
    }
  }
  return out;
}
