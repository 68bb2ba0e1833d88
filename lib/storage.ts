import "server-only";

import { Binary, type Db, ObjectId } from "mongodb";

import {
  type BlobVariant,
  CHUNK_SIZE,
  FORMAT_VERSION,
  SEGMENT_SIZE,
  type SealedChunk,
  newBlobPrefix,
  sealWholeBlob,
  sealedSize,
} from "@/lib/crypto";
import { getDb } from "@/lib/db";

/**
 * Encrypted blobs in GridFS's own layout (fs.files + fs.chunks), written
 * directly: one sealed 64 KiB segment is exactly one chunk (DESIGN.md §3), so
 * parts can be written out of order and ranges map to whole chunks.
 */

/** Where a blob lives and how to open it; stored inside the image record. */
export type BlobRef = { fileId: ObjectId; prefix: Buffer; size: number };

export type ChunkDoc = { _id: ObjectId; files_id: ObjectId; n: number; data: Binary };
export type FileDoc = {
  _id: ObjectId;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  // Never the user's filename: that is private and lives in the sealed metadata.
  filename: string;
  metadata: { v: number; segmentSize: number; variant: BlobVariant; imageId: string };
};

const chunks = (db: Db) => db.collection<ChunkDoc>("fs.chunks");
const files = (db: Db) => db.collection<FileDoc>("fs.files");

function isOnlyDuplicateKeys(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] | { code?: number } };
  if (e?.code === 11000 && !e.writeErrors) return true;
  const list = Array.isArray(e?.writeErrors) ? e.writeErrors : e?.writeErrors ? [e.writeErrors] : [];
  return list.length > 0 && list.every((w) => w.code === 11000);
}

/**
 * Writes sealed chunks in one insertMany. A chunk that is already there wins:
 * a retried part never overwrites stored ciphertext, so no nonce ever seals two
 * different plaintexts in stored data.
 */
export async function insertSealedChunks({
  fileId,
  firstIndex,
  sealed,
}: {
  fileId: ObjectId;
  firstIndex: number;
  sealed: Buffer[];
}): Promise<void> {
  if (sealed.length === 0) return;
  const db = await getDb();
  const docs = sealed.map((data, i) => ({ _id: new ObjectId(), files_id: fileId, n: firstIndex + i, data: new Binary(data) }));
  try {
    await chunks(db).insertMany(docs, { ordered: false });
  } catch (err) {
    if (!isOnlyDuplicateKeys(err)) throw err;
  }
}

export async function countChunks({ fileId }: { fileId: ObjectId }): Promise<number> {
  return chunks(await getDb()).countDocuments({ files_id: fileId });
}

/** The fs.files document goes in last, once every chunk is stored. */
export async function finalizeBlob({
  fileId,
  size,
  variant,
  imageId,
}: {
  fileId: ObjectId;
  size: number;
  variant: BlobVariant;
  imageId: string;
}): Promise<void> {
  await files(await getDb()).insertOne({
    _id: fileId,
    length: sealedSize(size),
    chunkSize: CHUNK_SIZE,
    uploadDate: new Date(),
    filename: fileId.toHexString(),
    metadata: { v: FORMAT_VERSION, segmentSize: SEGMENT_SIZE, variant, imageId },
  });
}

/** Seals and stores a small derived blob (thumbnail, preview) in one go. */
export async function writeSmallBlob({
  dek,
  imageId,
  variant,
  plaintext,
}: {
  dek: Buffer;
  imageId: string;
  variant: BlobVariant;
  plaintext: Buffer;
}): Promise<BlobRef> {
  const fileId = new ObjectId();
  const prefix = newBlobPrefix();
  const sealed = sealWholeBlob({ dek, prefix, imageId, variant, plaintext });
  await insertSealedChunks({ fileId, firstIndex: 0, sealed });
  await finalizeBlob({ fileId, size: plaintext.length, variant, imageId });
  return { fileId, prefix, size: plaintext.length };
}

/**
 * Streams sealed chunks [firstIndex, lastIndex] in order. Authentication is
 * the caller's job (lib/crypto decryptSegments), which also catches missing,
 * repeated or reordered chunks.
 */
export async function* readSealedChunks({
  fileId,
  firstIndex,
  lastIndex,
}: {
  fileId: ObjectId;
  firstIndex: number;
  lastIndex: number;
}): AsyncGenerator<SealedChunk> {
  const db = await getDb();
  const cursor = chunks(db)
    .find({ files_id: fileId, n: { $gte: firstIndex, $lte: lastIndex } }, { projection: { n: 1, data: 1 } })
    .sort({ n: 1 })
    // A few segments per round trip keeps memory flat for any file size.
    .batchSize(16);
  try {
    for await (const doc of cursor) yield { n: doc.n, data: doc.data };
  } finally {
    await cursor.close();
  }
}

export async function deleteBlobs({ fileIds }: { fileIds: ObjectId[] }): Promise<void> {
  if (fileIds.length === 0) return;
  const db = await getDb();
  // Chunks first: a crash in between leaves an fs.files entry the sweeper can still find.
  await chunks(db).deleteMany({ files_id: { $in: fileIds } });
  await files(db).deleteMany({ _id: { $in: fileIds } });
}

/**
 * Enforces "no fs.chunks row without a live fs.files document or live upload"
 * and "no fs.files document without its image". Each collection is read once
 * (ids only), so a pass is linear in the number of blobs.
 */
export async function sweepOrphanBlobs({
  liveUploadFileIds,
  liveImageIds,
}: {
  liveUploadFileIds: Set<string>;
  liveImageIds: Set<string>;
}): Promise<{ files: number; chunks: number }> {
  const db = await getDb();
  const youngerThan = Date.now() - 10 * 60_000;
  const liveFileIds = new Set<string>();
  const deadFiles: ObjectId[] = [];
  for await (const f of files(db).find({}, { projection: { _id: 1, uploadDate: 1, "metadata.imageId": 1 } })) {
    // Young files may belong to an upload that is completing right now.
    if (f.uploadDate.getTime() > youngerThan || liveImageIds.has(f.metadata?.imageId)) liveFileIds.add(f._id.toHexString());
    else deadFiles.push(f._id);
  }
  if (deadFiles.length) await deleteBlobs({ fileIds: deadFiles });

  const fileIdsWithChunks: ObjectId[] = await chunks(db).distinct("files_id");
  const orphanChunkOwners = fileIdsWithChunks.filter((id) => {
    const hex = id.toHexString();
    // A blob being written right now has chunks before its fs.files document; the id's timestamp tells its age.
    return !liveUploadFileIds.has(hex) && !liveFileIds.has(hex) && id.getTimestamp().getTime() <= youngerThan;
  });
  let removedChunks = 0;
  if (orphanChunkOwners.length) {
    removedChunks = (await chunks(db).deleteMany({ files_id: { $in: orphanChunkOwners } })).deletedCount;
  }
  return { files: deadFiles.length, chunks: removedChunks };
}
