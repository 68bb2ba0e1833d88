import "server-only";

import { bulkWriteInBatches } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { BulkStep } from "@/lib/gallery-types";
import { ensureLibrary } from "@/lib/image-listing";
import { type ImageDoc, POINT_LOOKUPS, UUID, deleteImagesForever, images, positionOf } from "@/lib/images";
import { type CountChange, type Pos, type Summary, applyChanges, changeCounts, monthOf, placeInTrash, withSummary } from "@/lib/library";
import { matchingImageIds } from "@/lib/search-index";

/**
 * Selections and the bulk operations on them: resolving "these ids", "all but
 * these" or "that trash step" to the owner's images a step at a time, and
 * moving them between the timeline and the trash or deleting them for good.
 * Like lib/images.ts, every function takes the ownerId and filters by it.
 */

/**
 * What a bulk operation acts on: explicit ids, everything in the current view
 * but a few, or (for Undo) one earlier trash step's images.
 */
export type Selection = { ids: string[] } | { all: true; except?: string[]; search?: string } | { batch: string };

type Resolved = { id: string; pageKey?: string; trashKey?: string; month: string };

const RESOLVE_FIELDS = { _id: 1, ownerId: 1, pageKey: 1, trashKey: 1, trashedAt: 1, createdAt: 1, dek: 1, meta: 1 } as const;
const resolved = (doc: ImageDoc): Resolved => ({ id: doc._id, pageKey: doc.pageKey, trashKey: doc.trashKey, month: monthOf(positionOf(doc)) });


/** A trash step's images share one `trashedAt`; its milliseconds name the step for Undo. */
const BATCH = /^\d{1,15}$/;

async function resolveWithKeys({
  ownerId,
  selection,
  trashed,
  limit = Infinity,
}: {
  ownerId: string;
  selection: Selection;
  trashed: boolean;
  /** Stop after this many: "all" then walks the timeline's buckets instead of every record. */
  limit?: number;
}): Promise<Resolved[]> {
  const coll = await images();
  const wanted = (doc: Pick<ImageDoc, "trashedAt">) => (doc.trashedAt !== null) === trashed;
  if ("ids" in selection && selection.ids.length <= POINT_LOOKUPS) {
    const ids = [...new Set(selection.ids.filter((id) => UUID.test(id)))];
    const docs = await Promise.all(ids.map((_id) => coll.findOne({ _id, ownerId }, { projection: RESOLVE_FIELDS })));
    return docs.flatMap((doc) => (doc && wanted(doc) ? [resolved(doc)] : []));
  }
  if ("batch" in selection) {
    if (!BATCH.test(selection.batch) || !trashed) return [];
    const at = Number(selection.batch);
    return walkBuckets({ ownerId, trashed, limit, keep: (doc) => doc.trashedAt?.getTime() === at });
  }
  if ("all" in selection && selection.search !== undefined) {
    // "Select all" of search results: every match, resolved here from the blind index.
    const except = new Set(selection.except ?? []);
    const ids = (await matchingImageIds({ ownerId, q: selection.search })).filter((id) => !except.has(id));
    return resolveWithKeys({ ownerId, selection: { ids }, trashed, limit });
  }
  if ("all" in selection && Number.isFinite(limit)) {
    const exclude = new Set(selection.except ?? []);
    return walkBuckets({ ownerId, trashed, limit, keep: (doc) => !exclude.has(doc._id) });
  }
  // "All", or a long list: one pass over the owner's records (linear, like the work it feeds).
  const include = "ids" in selection ? new Set(selection.ids) : null;
  const exclude = "all" in selection ? new Set(selection.except ?? []) : null;
  const out: Resolved[] = [];
  for await (const doc of coll.find({ ownerId }, { projection: RESOLVE_FIELDS })) {
    if (!wanted(doc)) continue;
    if (include && !include.has(doc._id)) continue;
    if (exclude?.has(doc._id)) continue;
    out.push(resolved(doc));
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Up to `limit` of the owner's images in one state, newest buckets first (the
 * timeline's, or the trash's), one bucket query at a time: a step of a long
 * operation costs O(limit), and the images it changed drop out of the next
 * step's walk through the counts.
 */
async function walkBuckets({
  ownerId,
  trashed,
  limit,
  keep,
}: {
  ownerId: string;
  trashed: boolean;
  limit: number;
  keep: (doc: ImageDoc) => boolean;
}): Promise<Resolved[]> {
  const summary = await ensureLibrary({ ownerId });
  const coll = await images();
  const out: Resolved[] = [];
  const buckets: { k: string; n: number }[] = trashed ? (summary.trash ?? []) : summary.buckets;
  for (const bucket of buckets) {
    if (bucket.n <= 0) continue;
    const docs = await coll.find(trashed ? { trashKey: bucket.k, ownerId } : { pageKey: bucket.k, ownerId }, { projection: RESOLVE_FIELDS }).toArray();
    for (const doc of docs) {
      if ((doc.trashedAt !== null) !== trashed || !keep(doc)) continue;
      out.push(resolved(doc));
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** The owner's image ids a selection stands for; foreign or unknown ids simply drop out. */
export async function resolveSelection({
  ownerId,
  selection,
  trashed = false,
}: {
  ownerId: string;
  selection: Selection;
  trashed?: boolean;
}): Promise<string[]> {
  return (await resolveWithKeys({ ownerId, selection, trashed })).map((r) => r.id);
}

type StepInput = {
  ownerId: string;
  selection: Selection;
  /** At most this many per call (a long "all" then takes several calls); unset: everything at once. */
  limit?: number;
};

/** One step's worth of a selection; one extra is looked up so that `more` is exact, never a last empty step. */
async function oneStep({ ownerId, selection, trashed, limit }: StepInput & { trashed: boolean }) {
  const found = await resolveWithKeys({ ownerId, selection, trashed, limit: limit === undefined ? undefined : limit + 1 });
  const more = limit !== undefined && found.length > limit;
  return { found: more ? found.slice(0, limit) : found, more };
}

/**
 * Moves images between the timeline and the trash, a batch at a time, and
 * fixes the counts once. Trashing files them into trash buckets under the
 * summary's lock, so the keys written and the counts kept always agree.
 */
async function setTrashed({ ownerId, selection, trashed, limit, batch }: StepInput & { trashed: boolean; batch?: string }): Promise<BulkStep> {
  const { found, more } = await oneStep({ ownerId, selection, trashed: !trashed, limit });
  const at = batch && BATCH.test(batch) ? new Date(Number(batch)) : new Date();
  if (found.length === 0) return { done: 0, more: false, batch: trashed ? String(at.getTime()) : undefined };
  const coll = await images();
  const write = async (trashKeys: Map<string, string> | null) => {
    // Single-id updates are indexed equalities, a few dozen per round trip.
    const res = await bulkWriteInBatches(
      coll,
      found.map((r) => ({
        updateOne: {
          filter: { _id: r.id, ownerId, trashedAt: trashed ? null : { $ne: null } },
          update: trashKeys ? { $set: { trashedAt: at, trashKey: trashKeys.get(r.id) } } : { $set: { trashedAt: null }, $unset: { trashKey: "" } },
        },
      })),
    );
    const changes: CountChange[] = found.flatMap((r) =>
      r.pageKey ? [{ pageKey: r.pageKey, live: trashed ? -1 : 1, trashed: trashed ? 1 : -1, month: r.month, trashKey: r.trashKey }] : [],
    );
    return { changes, moved: res.modifiedCount };
  };
  if (!trashed) {
    const { changes, moved } = await write(null);
    await changeCounts({ ownerId, changes });
    return { done: moved, more };
  }
  await ensureLibrary({ ownerId });
  const moved = await withSummary(ownerId, async (current) => {
    const summary: Summary = current ?? { buckets: [], trash: [] };
    const keys = placeInTrash(summary, found.map((r) => ({ id: r.id, pos: [at.getTime(), r.id] as Pos })));
    const result = await write(keys);
    applyChanges(summary, result.changes);
    return { summary, result: result.moved };
  });
  return { done: moved, more, batch: String(at.getTime()) };
}

export async function trashImages({ batch, ...input }: StepInput & { batch?: string }): Promise<BulkStep> {
  return setTrashed({ ...input, batch, trashed: true });
}

/** Back to the timeline; `{ batch }` restores exactly what one trash operation moved (Undo). */
export async function restoreImages(input: StepInput): Promise<BulkStep> {
  return setTrashed({ ...input, trashed: false });
}

/** "Delete forever" and "Empty trash": only images already in the trash. */
export async function deleteTrashedForever({ ownerId, selection, limit }: StepInput): Promise<BulkStep> {
  const { found, more } = await oneStep({ ownerId, selection, trashed: true, limit });
  // Named images that are all gone (deleted already, or never this owner's): 404, as for one missing image.
  if ("ids" in selection && found.length === 0) throw new AppError("not_found");
  const done = await deleteImagesForever({ ownerId, imageIds: found.map((r) => r.id) });
  return { done, more };
}

/** Purges images that have sat in the trash longer than the retention period, for every user. */
export async function purgeExpiredTrash({ olderThanDays }: { olderThanDays: number }): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  const coll = await images();
  const byOwner = new Map<string, string[]>();
  for await (const doc of coll.find({ trashedAt: { $ne: null, $lt: cutoff } }, { projection: { _id: 1, ownerId: 1 } })) {
    byOwner.set(doc.ownerId, [...(byOwner.get(doc.ownerId) ?? []), doc._id]);
  }
  let purged = 0;
  for (const [ownerId, imageIds] of byOwner) purged += await deleteImagesForever({ ownerId, imageIds });
  return purged;
}

