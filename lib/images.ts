import "server-only";

import type { Binary, Filter } from "mongodb";

import type { ImageMeta } from "@/lib/analyze";
import {
  type BlobVariant,
  blobAad,
  decryptSegments,
  openJson,
  segmentCount,
  segmentRange,
  segmentSizeOf,
  toBuffer,
} from "@/lib/crypto";
import { limits } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { GalleryItem, GalleryPage, ImageDetails } from "@/lib/gallery-types";
import { ensureKeyCheck, type StoredWrappedDek, unwrapDek } from "@/lib/keys";
import { type BlobRef, deleteBlobs, readSealedChunks } from "@/lib/storage";

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
  v: 1 | 2;
  dek: StoredWrappedDek;
  blobs: { original: StoredBlobRef; preview: StoredBlobRef; thumb: StoredBlobRef };
  meta: { nonce: Binary | Buffer; sealed: Binary | Buffer };
};

/** What the sealed metadata holds. */
export type SealedMeta = ImageMeta & { name: string };

let keysChecked: Promise<void> | undefined;

/** The database, after the key check has passed once in this process. */
export async function imagesDb() {
  const db = await getDb();
  keysChecked ??= ensureKeyCheck({ db }).catch((err) => {
    keysChecked = undefined;
    console.error(`[keys] ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  });
  await keysChecked;
  return db;
}

async function images() {
  return (await imagesDb()).collection<ImageDoc>("images");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Loads an owner's image, or throws not_found for anything else (foreign, missing, malformed). */
async function findOwned({ ownerId, imageId, trashed = false }: { ownerId: string; imageId: string; trashed?: boolean }) {
  if (!UUID.test(imageId)) throw new AppError("not_found");
  const filter: Filter<ImageDoc> = { _id: imageId, ownerId, trashedAt: trashed ? { $ne: null } : null };
  const doc = await (await images()).findOne(filter);
  if (!doc) throw new AppError("not_found");
  return doc;
}

function dekOf(doc: ImageDoc): Buffer {
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
  };
}

// Cursor = createdAt millis and id of the last item seen: stable under inserts and deletes.
function encodeCursor(doc: ImageDoc): string {
  return Buffer.from(`${doc.createdAt.getTime()}.${doc._id}`).toString("base64url");
}

function decodeCursor(cursor: string): { t: Date; id: string } {
  const [t, id] = Buffer.from(cursor, "base64url").toString("utf8").split(".");
  const ms = Number(t);
  if (!Number.isSafeInteger(ms) || !id || !UUID.test(id)) throw new AppError("invalid_input", "That page link is not valid.");
  return { t: new Date(ms), id };
}

export async function listImages({
  ownerId,
  cursor,
  limit = limits.galleryPageSize,
  trashed = false,
}: {
  ownerId: string;
  cursor?: string | null;
  limit?: number;
  trashed?: boolean;
}): Promise<GalleryPage> {
  const filter: Filter<ImageDoc> = { ownerId, trashedAt: trashed ? { $ne: null } : null };
  if (cursor) {
    const { t, id } = decodeCursor(cursor);
    filter.$or = [{ createdAt: { $lt: t } }, { createdAt: t, _id: { $lt: id } }];
  }
  const docs = await (await images())
    .find(filter, { projection: { blobs: 0 } })
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit + 1)
    .toArray();
  const page = docs.slice(0, limit);
  return {
    items: page.map((doc) => toGalleryItem(doc)),
    nextCursor: docs.length > limit ? encodeCursor(page[page.length - 1]) : null,
  };
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
    const segments = decryptSegments({
      dek,
      prefix: toBuffer(ref.prefix),
      aad: blobAad({ imageId: doc._id, variant }),
      totalSegments,
      size,
      firstIndex,
      lastIndex,
      segmentSize,
      source: readSealedChunks({ fileId: ref.fileId, firstIndex, lastIndex, segmentSize }),
    });
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

export async function insertImage({ doc }: { doc: ImageDoc }): Promise<void> {
  await (await images()).insertOne(doc);
}

/** Every image id, for the sweeper's one-pass orphan check. */
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
  for (const imageId of imageIds) {
    const doc = await coll.findOneAndDelete({ _id: imageId, ownerId });
    if (!doc) continue;
    deleted++;
    await deleteBlobs({ fileIds: blobIdsOf(doc) });
  }
  return deleted;
}

export async function deleteAllImagesOfOwner({ ownerId }: { ownerId: string }): Promise<void> {
  const coll = await images();
  const ids = await coll.find({ ownerId }, { projection: { _id: 1 } }).map((d) => d._id).toArray();
  await deleteImagesForever({ ownerId, imageIds: ids });
}

/** What the user selected: explicit ids, or every image (resolved here, never from a loaded page). */
export type Selection = { ids: string[] } | { all: true; except?: string[] };

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
  const filter: Filter<ImageDoc> = { ownerId, trashedAt: trashed ? { $ne: null } : null };
  if ("ids" in selection) filter._id = { $in: selection.ids.filter((id) => UUID.test(id)) };
  else if (selection.except?.length) filter._id = { $nin: selection.except };
  const docs = await (await images())
    .find(filter, { projection: { _id: 1 } })
    .sort({ createdAt: -1, _id: -1 })
    .toArray();
  return docs.map((d) => d._id);
}

export async function trashImages({ ownerId, selection }: { ownerId: string; selection: Selection }): Promise<number> {
  const ids = await resolveSelection({ ownerId, selection });
  if (ids.length === 0) return 0;
  const res = await (await images()).updateMany({ _id: { $in: ids }, ownerId, trashedAt: null }, { $set: { trashedAt: new Date() } });
  return res.modifiedCount;
}

export async function restoreImages({ ownerId, selection }: { ownerId: string; selection: Selection }): Promise<number> {
  const ids = await resolveSelection({ ownerId, selection, trashed: true });
  if (ids.length === 0) return 0;
  const res = await (await images()).updateMany({ _id: { $in: ids }, ownerId, trashedAt: { $ne: null } }, { $set: { trashedAt: null } });
  return res.modifiedCount;
}

/** "Delete forever" and "Empty trash": only images already in the trash. */
export async function deleteTrashedForever({ ownerId, selection }: { ownerId: string; selection: Selection }): Promise<number> {
  const ids = await resolveSelection({ ownerId, selection, trashed: true });
  return deleteImagesForever({ ownerId, imageIds: ids });
}

/** Purges images that have sat in the trash longer than the retention period, for every user. */
export async function purgeExpiredTrash({ olderThanDays }: { olderThanDays: number }): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  const coll = await images();
  let purged = 0;
  for await (const doc of coll.find({ trashedAt: { $ne: null, $lt: cutoff } }, { projection: { _id: 1, ownerId: 1 } })) {
    purged += await deleteImagesForever({ ownerId: doc.ownerId, imageIds: [doc._id] });
  }
  return purged;
}

export async function countImages({ ownerId, trashed = false }: { ownerId: string; trashed?: boolean }): Promise<number> {
  return (await images()).countDocuments({ ownerId, trashedAt: trashed ? { $ne: null } : null });
}

export type OriginalEntry = { imageId: string; name: string; size: number; createdAt: Date };

/** Names and sizes of many originals, fetched in batches, in the order given. */
export async function describeOriginals({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<OriginalEntry[]> {
  const coll = await images();
  const found = new Map<string, OriginalEntry>();
  for (let i = 0; i < imageIds.length; i += 500) {
    const batch = imageIds.slice(i, i + 500);
    const cursor = coll.find({ _id: { $in: batch }, ownerId, trashedAt: null }, { projection: { blobs: 0 } });
    for await (const doc of cursor) {
      found.set(doc._id, { imageId: doc._id, name: openMeta(doc).name, size: doc.size, createdAt: doc.createdAt });
    }
  }
  return imageIds.flatMap((id) => found.get(id) ?? []);
}
