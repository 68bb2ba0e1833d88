import "server-only";

import type { Binary, Filter } from "mongodb";

import type { ImageMeta } from "@/lib/analyze";
import { type BlobVariant, segmentCount, segmentRange, segmentSizeOf } from "@/lib/blob-crypto";
import { openJson, toBuffer } from "@/lib/crypto";
import { bulkWriteInBatches, getDb } from "@/lib/db";
import { forgetDerivedData } from "@/lib/derived-data";
import { AppError } from "@/lib/errors";
import type { GalleryItem, ImageDetails } from "@/lib/gallery-types";
import { type DekHolder, type StoredWrappedDek, unwrapDek } from "@/lib/keys";
import { type CountChange, type Pos, addToLibrary, changeCounts, comparePos, monthOf, timelinePosition } from "@/lib/library";
import { type BlobRef, deleteBlobs, readPlainBlob } from "@/lib/storage";
import { releaseQuota } from "@/lib/usage";

/**
 * The repository of image records. Only what layout and queries need is in
 * the clear (owner, time, size, type, dimensions, trash state); the filename,
 * EXIF, GPS and palette are sealed under the image's own data key.
 * Every function takes the ownerId and filters by it: someone else's image
 * behaves exactly like one that does not exist.
 */

// v1 records carry no segmentSize (their blobs use 64 KiB segments); v2 records carry each blob's own.
type StoredBlobRef = { fileId: BlobRef["fileId"]; prefix: Binary | Buffer; size: number; segmentSize?: number };

export type ImageDoc = {
  _id: string;
  ownerId: string;
  createdAt: Date;
  size: number;
  mime: string;
  width: number;
  height: number;
  trashedAt: Date | null;
  /** The owner's timeline bucket this image belongs to (lib/library.ts); absent only before migration. */
  pageKey?: string;
  /** While trashed: the trash bucket it is filed in (lib/library.ts TrashBucket). */
  trashKey?: string;
  v: 1 | 2;
  dek: StoredWrappedDek;
  blobs: { original: StoredBlobRef; preview: StoredBlobRef; thumb: StoredBlobRef };
  meta: { nonce: Binary | Buffer; sealed: Binary | Buffer };
};

/** What the sealed metadata holds. */
export type SealedMeta = ImageMeta & { name: string };

/** Where image records keep their wrapped data key, for the key check and rotation (lib/key-maintenance). */
export const imageDekHolder: DekHolder = {
  collection: "images",
  fields: ["ownerId"],
  context: (doc) => ({ imageId: doc._id, ownerId: doc.ownerId }),
};

export async function images() {
  return (await getDb()).collection<ImageDoc>("images");
}

/** Up to this many explicit ids are looked up one by one (each an indexed equality); more scan the owner's records once. */
export const POINT_LOOKUPS = 64;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Loads an owner's image, or throws not_found for anything else (foreign, missing, malformed). */
export async function findOwned({ ownerId, imageId, trashed = false }: { ownerId: string; imageId: string; trashed?: boolean }) {
  if (!UUID.test(imageId)) throw new AppError("not_found");
  const filter: Filter<ImageDoc> = { _id: imageId, ownerId, trashedAt: trashed ? { $ne: null } : null };
  const doc = await (await images()).findOne(filter);
  if (!doc) throw new AppError("not_found");
  return doc;
}

export function dekOf(doc: ImageDoc): Buffer {
  return unwrapDek({ wrappedKey: doc.dek, imageId: doc._id, ownerId: doc.ownerId });
}

export function openMeta(doc: ImageDoc, dek = dekOf(doc)): SealedMeta {
  return openJson({ dek, imageId: doc._id, nonce: toBuffer(doc.meta.nonce), sealed: toBuffer(doc.meta.sealed) }) as SealedMeta;
}

export function toGalleryItem(doc: ImageDoc, meta: SealedMeta = openMeta(doc)): GalleryItem {
  return {
    id: doc._id,
    name: meta.name,
    size: doc.size,
    mime: doc.mime,
    width: doc.width,
    height: doc.height,
    createdAt: doc.createdAt.toISOString(),
    takenAt: meta.exif?.DateTimeOriginal ?? null,
    trashedAt: doc.trashedAt ? doc.trashedAt.toISOString() : null,
  };
}

export type Listed = { doc: ImageDoc; meta: SealedMeta; pos: Pos };

export function positionOf(doc: ImageDoc, meta: SealedMeta = openMeta(doc)): Pos {
  return timelinePosition({ id: doc._id, takenAt: meta.exif?.DateTimeOriginal, createdAt: doc.createdAt });
}

export async function getImage({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<GalleryItem> {
  return toGalleryItem(await findOwned({ ownerId, imageId }));
}

export async function getImageDetails({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<ImageDetails> {
  const doc = await findOwned({ ownerId, imageId });
  const meta = openMeta(doc);
  const exif = meta.exif ?? {};
  const camera = [exif.Make, exif.Model].filter(Boolean).join(" ").trim();
  const exposure = {
    exposureTime: exif.ExposureTime,
    fNumber: exif.FNumber,
    iso: exif.ISO,
    focalLength: exif.FocalLength,
  };
  return {
    ...toGalleryItem(doc, meta),
    takenAt: exif.DateTimeOriginal ?? null,
    camera: camera || null,
    lens: exif.LensModel ?? null,
    exposure: Object.values(exposure).some((v) => v !== undefined) ? exposure : null,
    palette: meta.palette ?? [],
    hasLocation: Boolean(meta.gps),
  };
}

export type OpenedVariant = {
  size: number;
  mime: string;
  name: string;
  etag: string;
  /** Plaintext of the variant or of a byte range [start, end], authenticated segment by segment. */
  read: (range?: { start: number; end: number } | null) => AsyncGenerator<Buffer>;
};

/**
 * Opens one variant of an owner's image. The body throws (and so aborts the
 * response) on the first segment that fails authentication; nothing of that
 * segment is released.
 */
export async function openImageVariant({
  ownerId,
  imageId,
  variant,
  inTrash = false,
}: {
  ownerId: string;
  imageId: string;
  variant: BlobVariant;
  /** The trash page shows trashed images; everywhere else they are gone. */
  inTrash?: boolean;
}): Promise<OpenedVariant> {
  const doc = await findOwned({ ownerId, imageId, trashed: inTrash });
  const dek = dekOf(doc);
  const meta = openMeta(doc, dek);
  const ref = doc.blobs[variant];
  const size = ref.size;
  const segmentSize = segmentSizeOf({ v: doc.v, segmentSize: ref.segmentSize });
  const totalSegments = segmentCount(size, segmentSize);
  const read = (range?: { start: number; end: number } | null) => {
    const plan = range ? segmentRange({ start: range.start, end: range.end, size, segmentSize }) : null;
    const firstIndex = plan?.firstIndex ?? 0;
    const lastIndex = plan?.lastIndex ?? totalSegments - 1;
    const segments = readPlainBlob({ dek, imageId: doc._id, variant, ref: { ...ref, segmentSize }, firstIndex, lastIndex });
    return plan ? sliceStream(segments, plan.skipStart, plan.takeLength) : segments;
  };
  return {
    size,
    mime: variant === "original" ? doc.mime : "image/webp",
    name: meta.name,
    // Blobs never change once written, so the id and variant name the bytes.
    etag: `"${doc._id}-${variant}-v${doc.v}"`,
    read,
  };
}

async function* sliceStream(source: AsyncGenerator<Buffer>, skip: number, take: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let left = take;
  for await (const chunk of source) {
    if (left <= 0) break;
    let piece = chunk;
    if (toSkip > 0) {
      const cut = Math.min(toSkip, piece.length);
      piece = piece.subarray(cut);
      toSkip -= cut;
    }
    if (piece.length === 0) continue;
    if (piece.length > left) piece = piece.subarray(0, left);
    left -= piece.length;
    yield piece;
  }
}

/** Stores a new image record in its timeline bucket and counts it there. */
export async function insertImage({ doc }: { doc: ImageDoc }): Promise<void> {
  const coll = await images();
  const ownerId = doc.ownerId;
  await addToLibrary({
    ownerId,
    pos: positionOf(doc),
    insert: async (pageKey) => {
      doc.pageKey = pageKey;
      await coll.insertOne(doc);
    },
    members: async (pageKey) =>
      (await coll.find({ pageKey, ownerId }, { projection: { blobs: 0 } }).toArray()).map((d) => ({
        id: d._id,
        pos: positionOf(d),
        trashed: d.trashedAt !== null,
      })),
    move: async (ids, pageKey) => {
      await bulkWriteInBatches(
        coll,
        ids.map((_id) => ({ updateOne: { filter: { _id, ownerId }, update: { $set: { pageKey } } } })),
      );
    },
  });
}

/** Gallery items of the given ids that are in the timeline (not trashed), newest first by date taken. */
export async function galleryItemsByIds({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<GalleryItem[]> {
  const coll = await images();
  const found: Listed[] = [];
  const add = (doc: ImageDoc | null) => {
    if (!doc || doc.trashedAt !== null) return;
    const meta = openMeta(doc);
    found.push({ doc, meta, pos: positionOf(doc, meta) });
  };
  if (imageIds.length <= POINT_LOOKUPS) {
    for (const doc of await Promise.all(imageIds.map((_id) => coll.findOne({ _id, ownerId }, { projection: { blobs: 0 } })))) add(doc);
  } else {
    const wanted = new Set(imageIds);
    for await (const doc of coll.find({ ownerId }, { projection: { blobs: 0 } })) if (wanted.has(doc._id)) add(doc);
  }
  return found.sort((x, y) => comparePos(y.pos, x.pos)).map(({ doc, meta }) => toGalleryItem(doc, meta));
}

/** An owner's image record in any state, or null: for background work (analysis) that knows the owner from its own queue. */
export async function findImageRecord({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<ImageDoc | null> {
  if (!UUID.test(imageId)) return null;
  return (await images()).findOne({ _id: imageId, ownerId });
}

/** Every image's id and owner, for the analysis backfill (one pass, linear). */
export async function allImageRefs(): Promise<{ id: string; ownerId: string }[]> {
  const out: { id: string; ownerId: string }[] = [];
  for await (const doc of (await images()).find({}, { projection: { _id: 1, ownerId: 1 } })) out.push({ id: doc._id, ownerId: doc.ownerId });
  return out;
}

/** Every owner with images, for the sweeper's counter check. */
export async function allOwnerIds(): Promise<string[]> {
  return (await images()).distinct("ownerId");
}

/** Every image id, for the sweeper's one-pass orphan check. */
/** Whether an image record exists (in the timeline or the trash). */
export async function imageExists({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<boolean> {
  return (await (await images()).findOne({ _id: imageId, ownerId }, { projection: { _id: 1 } })) !== null;
}

export async function allImageIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const doc of (await images()).find({}, { projection: { _id: 1 } })) ids.add(doc._id);
  return ids;
}

export async function usageOf({ ownerId }: { ownerId: string }): Promise<{ bytes: number; count: number }> {
  const coll = await images();
  // Counted separately: FerretDB 1.24 answers `$sum: 1` in $group with 0.
  const [row] = await coll
    .aggregate<{ bytes: number }>([{ $match: { ownerId } }, { $group: { _id: null, bytes: { $sum: "$size" } } }])
    .toArray();
  return { bytes: row?.bytes ?? 0, count: await coll.countDocuments({ ownerId }) };
}

function blobIdsOf(doc: Pick<ImageDoc, "blobs">) {
  return [doc.blobs.original.fileId, doc.blobs.preview.fileId, doc.blobs.thumb.fileId];
}

/** Removes records first, then blobs: a reader either finds the whole image or nothing. */
export async function deleteImagesForever({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<number> {
  const coll = await images();
  let deleted = 0;
  let bytes = 0;
  const changes: CountChange[] = [];
  try {
    for (const imageId of imageIds) {
      const doc = await coll.findOneAndDelete({ _id: imageId, ownerId });
      if (!doc) continue;
      deleted++;
      bytes += doc.size;
      if (doc.pageKey) {
        changes.push({
          pageKey: doc.pageKey,
          live: doc.trashedAt ? 0 : -1,
          trashed: doc.trashedAt ? -1 : 0,
          month: monthOf(positionOf(doc)),
          trashKey: doc.trashKey,
        });
      }
      await deleteBlobs({ fileIds: blobIdsOf(doc) });
      await forgetDerivedData({ imageIds: [imageId] });
    }
  } finally {
    // Even after a failure part-way: what was deleted is given back and uncounted.
    await releaseQuota({ ownerId, bytes, count: deleted });
    await changeCounts({ ownerId, changes });
  }
  return deleted;
}

export async function deleteAllImagesOfOwner({ ownerId }: { ownerId: string }): Promise<void> {
  const coll = await images();
  const ids = await coll.find({ ownerId }, { projection: { _id: 1 } }).map((d) => d._id).toArray();
  await deleteImagesForever({ ownerId, imageIds: ids });
}

export type OriginalEntry = { imageId: string; name: string; size: number; createdAt: Date };

/** Names and sizes of many originals, fetched in batches, in the order given. */
export async function describeOriginals({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<OriginalEntry[]> {
  const coll = await images();
  const found = new Map<string, OriginalEntry>();
  const add = (doc: ImageDoc | null) => {
    if (doc && doc.trashedAt === null) found.set(doc._id, { imageId: doc._id, name: openMeta(doc).name, size: doc.size, createdAt: doc.createdAt });
  };
  if (imageIds.length <= POINT_LOOKUPS) {
    for (const doc of await Promise.all(imageIds.map((_id) => coll.findOne({ _id, ownerId }, { projection: { blobs: 0 } })))) add(doc);
  } else {
    const wanted = new Set(imageIds);
    for await (const doc of coll.find({ ownerId }, { projection: { blobs: 0 } })) if (wanted.has(doc._id)) add(doc);
  }
  return imageIds.flatMap((id) => found.get(id) ?? []);
}

/** Live images of an owner by id, in the order given: missing, foreign and trashed ids drop out. Point lookups, in parallel. */
export async function listLiveItems({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<GalleryItem[]> {
  const coll = await images();
  const docs = await Promise.all(
    imageIds.map((_id) => (UUID.test(_id) ? coll.findOne({ _id, ownerId }, { projection: { blobs: 0 } }) : Promise.resolve(null))),
  );
  return docs.flatMap((doc) => (doc && doc.trashedAt === null ? [toGalleryItem(doc)] : []));
}

