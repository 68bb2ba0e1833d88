import "server-only";

import { randomUUID } from "node:crypto";

import { ObjectId } from "mongodb";

import { noteUploadActivity } from "@/lib/analysis-queue";
import { SEGMENT_SIZE, V1_SEGMENT_SIZE, blobAad, newBlobPrefix, sealSegments, segmentCount } from "@/lib/blob-crypto";
import { limits } from "@/lib/config";
import { newDek, sealJson, toBuffer } from "@/lib/crypto";
import { partMac } from "@/lib/duplicates";
import { dropHeldParts, holdPart } from "@/lib/early-analysis";
import { AppError } from "@/lib/errors";
import type { BeginUploadResult } from "@/lib/gallery-types";
import { probeHeader } from "@/lib/image-header";
import { rebuildLibrary } from "@/lib/image-listing";
import { sniffImageType } from "@/lib/image-types";
import { allImageIds, allOwnerIds, imageExists, usageOf } from "@/lib/images";
import { unwrapDek, wrapDek } from "@/lib/keys";
import { HOUSEKEEPING_LEASE, HOUSEKEEPING_LEASE_MS, tryLock } from "@/lib/locks";
import { deleteBlobs, insertSealedChunks, openBlob, sweepOrphanBlobs } from "@/lib/storage";
import { type UploadDoc, discardUpload, uploads } from "@/lib/upload-records";
import { type Usage, releaseQuota, reconcileUsage, reserveQuota } from "@/lib/usage";

/**
 * Chunked, resumable uploads (DESIGN.md §4): begin → part × N → complete.
 * Parts are encrypted on arrival straight into fs.chunks; the image record
 * appears only once everything is stored and analysed (lib/upload-completion.ts).
 */

/** 4 MiB, under Vercel's 4.5 MB body cap: 16 segments of 256 KiB (64 of 64 KiB for uploads begun in format v1). */
export const PART_SIZE = 4 * 1024 * 1024;

async function findUpload({ ownerId, uploadId }: { ownerId: string; uploadId: string }): Promise<UploadDoc> {
  const doc = await (await uploads()).findOne({ _id: uploadId, ownerId, expiresAt: { $gt: new Date() } });
  if (!doc) throw new AppError("not_found", "This upload has expired or does not exist. Please upload the file again.");
  return doc;
}

const MB = 1024 * 1024;
const formatMb = (n: number) => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;

export async function beginUpload({
  ownerId,
  name,
  size,
  head,
}: {
  ownerId: string;
  name: string;
  size: number;
  /** The file's first bytes, when the client sends them: a non-image is refused before anything is stored. */
  head?: Buffer;
}): Promise<BeginUploadResult> {
  noteUploadActivity();
  if (size === 0) throw new AppError("empty_file", "This file is empty.");
  if (size > limits.maxUploadBytes) {
    throw new AppError("too_large", `Too large (${formatMb(size)}; the limit is ${formatMb(limits.maxUploadBytes)}).`);
  }
  if (head) {
    if (head.length > Math.min(size, 64 * 1024)) throw new AppError("invalid_input", "The file's first bytes do not fit its size.");
    // Part 0 is sniffed and probed again on arrival: these bytes only let us refuse early.
    const { mime } = await sniffImageType({ head });
    await probeHeader({ head, mime });
  }
  // Reserved atomically before anything is written; given back if this upload never becomes an image.
  await reserveQuota({ ownerId, bytes: size, measure: measureUsage });
  void maybeSweep();

  const uploadId = randomUUID();
  const imageId = randomUUID();
  const dek = newDek();
  const now = new Date();
  const sealedName = sealJson({ dek, imageId, value: { name } });
  const upload: UploadDoc = {
    _id: uploadId,
    imageId,
    ownerId,
    size,
    partCount: Math.ceil(size / PART_SIZE),
    mime: null,
    state: "open",
    dek: wrapDek({ dek, imageId, ownerId }),
    original: { fileId: new ObjectId(), prefix: newBlobPrefix() },
    segmentSize: SEGMENT_SIZE,
    name: { nonce: sealedName.nonce, sealed: sealedName.sealed },
    partsDone: [],
    createdAt: now,
    expiresAt: new Date(now.getTime() + limits.uploadTtlHours * 3600_000),
  };
  try {
    await (await uploads()).insertOne(upload);
  } catch (err) {
    await releaseQuota({ ownerId, bytes: size, count: 1 }).catch(() => {});
    throw err;
  }
  // The original's file document exists before any part is stored (lib/storage openBlob).
  await openBlob({ fileId: upload.original.fileId, variant: "original", imageId, segmentSize: SEGMENT_SIZE }).catch(async (err) => {
    await discardUpload(upload).catch(() => {});
    throw err;
  });
  return { uploadId, partSize: PART_SIZE, partCount: Math.ceil(size / PART_SIZE) };
}

/**
 * Stores part `index`. Part 0 is type-sniffed and header-probed first, so a
 * non-image or a decompression bomb is refused before anything is written.
 * Retrying a part is safe: stored chunks are never overwritten.
 */
export async function putPart({
  ownerId,
  uploadId,
  index,
  bytes,
}: {
  ownerId: string;
  uploadId: string;
  index: number;
  bytes: Buffer;
}): Promise<void> {
  noteUploadActivity();
  const upload = await findUpload({ ownerId, uploadId });
  if (upload.state !== "open") throw new AppError("conflict", "This upload is already being finished.");
  if (!Number.isInteger(index) || index < 0 || index >= upload.partCount) {
    throw new AppError("invalid_input", "That part does not belong to this file.");
  }
  const expected = Math.min(PART_SIZE, upload.size - index * PART_SIZE);
  if (bytes.length !== expected) {
    throw new AppError("invalid_input", "The file changed or was cut short while uploading. Please try again.");
  }
  const dek = unwrapDek({ wrappedKey: upload.dek, imageId: upload.imageId, ownerId });

  let mime = upload.mime;
  if (index === 0) {
    try {
      mime = (await sniffImageType({ head: bytes })).mime;
      await probeHeader({ head: bytes, mime });
    } catch (err) {
      // A file that is not an acceptable image is refused whole, at once.
      await discardUpload(upload);
      throw err;
    }
  }

  const segmentSize = upload.segmentSize ?? V1_SEGMENT_SIZE;
  const firstIndex = index * (PART_SIZE / segmentSize);
  const sealed = sealSegments({
    dek,
    prefix: toBuffer(upload.original.prefix),
    aad: blobAad({ imageId: upload.imageId, variant: "original" }),
    firstIndex,
    totalSegments: segmentCount(upload.size, segmentSize),
    plaintext: bytes,
    segmentSize,
  });
  let allNew: boolean;
  try {
    ({ allNew } = await insertSealedChunks({ fileId: upload.original.fileId, firstIndex, sealed }));
  } catch (err) {
    dropHeldParts({ uploadId });
    throw err;
  }
  // Only bytes now stored exactly as received are held for the analysis. When some chunks were
  // there already (a resent part), the stored ones are the first try's, maybe not these.
  if (allNew) holdPart({ uploadId, index, partCount: upload.partCount, bytes, mime });
  else dropHeldParts({ uploadId });
  // Part 0's type goes in with its receipt: one round trip, and one update fewer to race.
  const macSet = { [`partMacs.${index}`]: await partMac({ ownerId, index, bytes }) };
  const update = index === 0 ? { $set: { mime, ...macSet }, $addToSet: { partsDone: index } } : { $set: macSet, $addToSet: { partsDone: index } };
  const { matchedCount } = await oneAtATime(uploadId, async () => (await uploads()).updateOne({ _id: uploadId, ownerId }, update));
  if (matchedCount === 0) await cleanUpLatePart(upload);
}

/**
 * A part stored after its upload was aborted or expired (it passed the check
 * just before the record went) left chunks nobody will ever read: they go now,
 * unless the record went because the upload completed (a resent part), in
 * which case the image owns the original.
 */
async function cleanUpLatePart(upload: UploadDoc): Promise<void> {
  dropHeldParts({ uploadId: upload._id });
  if (await imageExists({ ownerId: upload.ownerId, imageId: upload.imageId })) return;
  await deleteBlobs({ fileIds: [upload.original.fileId] });
  throw new AppError("not_found", "This upload has expired, was cancelled, or does not exist.");
}

/**
 * FerretDB 1.x applies an update as read, modify, write back, without a lock:
 * of 8 concurrent $addToSet on one document, about 6 are lost (measured).
 * Updates of one upload record from this process therefore go one at a
 * time; completeUpload checks the chunks themselves when a receipt is missing
 * anyway, since parts of one upload may also reach different processes.
 */
const recordQueues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (recordQueues.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => {});
  recordQueues.set(key, tail);
  void tail.then(() => {
    if (recordQueues.get(key) === tail) recordQueues.delete(key);
  });
  return run;
}

/** What an owner really holds: stored images plus uploads still open (the quota counter's truth). */
async function measureUsage(ownerId: string): Promise<Usage> {
  const stored = await usageOf({ ownerId });
  const open = await (await uploads()).find({ ownerId }, { projection: { size: 1 } }).toArray();
  return { bytes: stored.bytes + open.reduce((sum, u) => sum + u.size, 0), count: stored.count + open.length };
}

export async function abortUpload({ ownerId, uploadId }: { ownerId: string; uploadId: string }): Promise<void> {
  const upload = await (await uploads()).findOne({ _id: uploadId, ownerId, state: "open" });
  if (upload) await discardUpload(upload);
}

export async function deleteAllUploadsOfOwner({ ownerId }: { ownerId: string }): Promise<void> {
  for (const upload of await (await uploads()).find({ ownerId }).toArray()) await discardUpload(upload);
}

/**
 * Removes expired uploads with their chunks, then any blob that no live
 * upload or image owns. Safe to run at any time and from several processes.
 */
export async function sweepUploads(): Promise<{ uploads: number; files: number; counters: number }> {
  const coll = await uploads();
  const now = new Date();
  const expired = await coll.find({ expiresAt: { $lte: now } }).toArray();
  // An upload stuck "completing" for an hour belongs to a process that died mid-way.
  const stuck = await coll.find({ state: "completing", completingAt: { $lt: new Date(now.getTime() - 3600_000) } }).toArray();
  const ended = new Map([...expired, ...stuck].map((u) => [u._id, u]));
  for (const upload of ended.values()) {
    // A process that died between writing the image record and deleting this one: the image
    // owns the blobs now (and the quota), so only the leftover record goes.
    if (await imageExists({ ownerId: upload.ownerId, imageId: upload.imageId })) await coll.deleteOne({ _id: upload._id });
    else await discardUpload(upload);
  }

  const live = await coll.find({}, { projection: { original: 1, ownerId: 1 } }).toArray();
  const orphans = await sweepOrphanBlobs({
    liveUploadFileIds: new Set(live.map((u) => u.original.fileId.toHexString())),
    liveImageIds: await allImageIds(),
  });
  // Counters drift only on a crash between two writes; recomputing them here bounds how long.
  let counters = 0;
  for (const ownerId of new Set([...(await allOwnerIds()), ...live.map((u) => u.ownerId)])) {
    if (await reconcileUsage({ ownerId, measure: measureUsage })) counters++;
    await rebuildLibrary({ ownerId });
  }
  return { uploads: ended.size, ...orphans, counters };
}

let lastSweep = 0;

/**
 * Runs the sweeper at most every ten minutes per process, off the request's path,
 * and only while holding the housekeeping lease: instances sharing the database
 * take turns instead of sweeping the same uploads at once.
 */
export async function maybeSweep(): Promise<void> {
  if (Date.now() - lastSweep < 10 * 60_000) return;
  lastSweep = Date.now();
  try {
    const lease = await tryLock({ name: HOUSEKEEPING_LEASE, ttlMs: HOUSEKEEPING_LEASE_MS });
    if (!lease) return;
    try {
      await sweepUploads();
    } finally {
      await lease.release().catch(() => {});
    }
  } catch (err) {
    console.error("[sweep] failed", err);
  }
}
