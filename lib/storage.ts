import "server-only";

import { Binary, type Db, ObjectId } from "mongodb";

import {
  type BlobVariant,
  FORMAT_VERSION,
  SEGMENT_SIZE,
  type SealedChunk,
  V1_SEGMENT_SIZE,
  blobAad,
  decryptSegments,
  newBlobPrefix,
  sealWholeBlob,
  sealedSize,
  segmentCount,
} from "@/lib/blob-crypto";
import { TAG_SIZE, toBuffer } from "@/lib/crypto";
import { getDb } from "@/lib/db";

/**
 * Encrypted blobs in GridFS's own layout (fs.files + fs.chunks), written
 * directly: one sealed segment is exactly one chunk (DESIGN.md §3), so parts
 * can be written out of order and ranges map to whole chunks.
 */

/** Where a blob lives and how to open it; stored inside the image record. */
export type BlobRef = { fileId: ObjectId; prefix: Buffer; size: number; segmentSize: number };

export type ChunkDoc = { _id: ObjectId; files_id: ObjectId; n: number; data: Binary };
export type FileDoc = {
  _id: ObjectId;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  // Never the user's filename: that is private and lives in the sealed metadata.
  filename: string;
  /** `pending`: the blob is still being written (an upload's original until complete). */
  metadata: { v: number; segmentSize: number; variant: BlobVariant; imageId: string; pending?: true };
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
 * Chunk documents per insertMany, and insertMany calls in flight at once: a
 * whole 4 MiB part (16 chunks) at once, in pairs. FerretDB runs one insertMany
 * on one connection, converting and inserting document after document, so a
 * part written as one insertMany used one core and ran at 10–25 MiB/s; with
 * every pair in flight, FerretDB and PostgreSQL keep both cores busy and a
 * part goes in at the raw GridFS rate (about 45 MiB/s here; 4 in flight gave
 * about 30). Measured with scripts/bench, README "Benchmarks".
 */
const WRITE_BATCH_DOCS = 2;
const WRITE_PARALLEL = 8;

/**
 * Writes sealed chunks n = firstIndex, firstIndex+1, ... in small batches
 * side by side. A chunk that is already there wins: a retried part never
 * overwrites stored ciphertext, so no nonce ever seals two different
 * plaintexts in stored data. `allNew` says whether every chunk was written
 * now (false: some were there before, from an earlier try of the same part).
 */
export async function insertSealedChunks({
  fileId,
  firstIndex,
  sealed,
}: {
  fileId: ObjectId;
  firstIndex: number;
  sealed: Buffer[];
}): Promise<{ allNew: boolean }> {
  if (sealed.length === 0) return { allNew: true };
  const db = await getDb();
  const docs = sealed.map((data, i) => ({ _id: new ObjectId(), files_id: fileId, n: firstIndex + i, data: new Binary(data) }));
  const batches: ChunkDoc[][] = [];
  for (let i = 0; i < docs.length; i += WRITE_BATCH_DOCS) batches.push(docs.slice(i, i + WRITE_BATCH_DOCS));
  let allNew = true;
  let failed = false;
  let next = 0;
  const worker = async () => {
    // After a failure no new batch starts; the caller fails and the client retries the whole part.
    while (!failed && next < batches.length) {
      const batch = batches[next++];
      try {
        await chunks(db).insertMany(batch, { ordered: false });
      } catch (err) {
        if (!isOnlyDuplicateKeys(err)) {
          failed = true;
          throw err;
        }
        allNew = false;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(WRITE_PARALLEL, batches.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
  return { allNew };
}

export async function countChunks({ fileId }: { fileId: ObjectId }): Promise<number> {
  return chunks(await getDb()).countDocuments({ files_id: fileId });
}

/*
 * Every blob's fs.files document exists before its first chunk and is deleted
 * after its last one, so no chunk is ever without a file document, even after a
 * crash. The sweeper then finds every leftover by reading fs.files (small
 * documents) and never has to scan fs.chunks, which on FerretDB means reading
 * every stored byte: that took longer than the driver's socket timeout at a
 * 30,000-image bench library.
 */

function fileDoc({ fileId, size, variant, imageId, segmentSize }: { fileId: ObjectId; size: number; variant: BlobVariant; imageId: string; segmentSize: number }): FileDoc {
  return {
    _id: fileId,
    length: sealedSize(size, segmentSize),
    chunkSize: segmentSize + TAG_SIZE,
    uploadDate: new Date(),
    filename: fileId.toHexString(),
    metadata: { v: segmentSize === V1_SEGMENT_SIZE ? 1 : FORMAT_VERSION, segmentSize, variant, imageId },
  };
}

/** Registers a blob about to be written in parts (an upload's original), before any chunk. */
export async function openBlob({
  fileId,
  variant,
  imageId,
  segmentSize,
}: {
  fileId: ObjectId;
  variant: BlobVariant;
  imageId: string;
  segmentSize: number;
}): Promise<void> {
  const doc = fileDoc({ fileId, size: 0, variant, imageId, segmentSize });
  await files(await getDb()).insertOne({ ...doc, length: 0, metadata: { ...doc.metadata, pending: true } });
}

/**
 * Marks a blob opened with openBlob as complete, once every chunk is stored.
 * Upserts, so an upload begun before file documents came first completes too.
 */
export async function finalizeBlob({
  fileId,
  size,
  variant,
  imageId,
  segmentSize,
}: {
  fileId: ObjectId;
  size: number;
  variant: BlobVariant;
  imageId: string;
  segmentSize: number;
}): Promise<void> {
  const { _id, ...rest } = fileDoc({ fileId, size, variant, imageId, segmentSize });
  await files(await getDb()).replaceOne({ _id }, rest, { upsert: true });
}

/** Seals and stores a small derived blob (thumbnail, preview) in one go, in the current format. */
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
  // The file document first (see openBlob): a crash mid-write leaves nothing the sweeper cannot find.
  await files(await getDb()).insertOne(fileDoc({ fileId, size: plaintext.length, variant, imageId, segmentSize: SEGMENT_SIZE }));
  try {
    await insertSealedChunks({ fileId, firstIndex: 0, sealed });
  } catch (err) {
    await deleteBlobs({ fileIds: [fileId] }).catch(() => {});
    throw err;
  }
  return { fileId, prefix, size: plaintext.length, segmentSize: SEGMENT_SIZE };
}

/**
 * Bytes per cursor batch when reading a blob, and so also how far the reader
 * runs ahead of its consumer: one batch is decrypted and sent while the next
 * is on its way, and memory stays at about two batches for any file size.
 */
const READ_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Streams sealed chunks [firstIndex, lastIndex] in order. Authentication is
 * the caller's job (lib/blob-crypto decryptSegments), which also catches missing,
 * repeated or reordered chunks.
 */
export async function* readSealedChunks({
  fileId,
  firstIndex,
  lastIndex,
  segmentSize,
}: {
  fileId: ObjectId;
  firstIndex: number;
  lastIndex: number;
  segmentSize: number;
}): AsyncGenerator<SealedChunk> {
  const db = await getDb();
  const perBatch = Math.max(1, Math.min(lastIndex - firstIndex + 1, Math.floor(READ_BATCH_BYTES / (segmentSize + TAG_SIZE))));
  const cursor = chunks(db)
    .find({ files_id: fileId, n: { $gte: firstIndex, $lte: lastIndex } }, { projection: { n: 1, data: 1 } })
    .sort({ n: 1 })
    .batchSize(perBatch);
  // The cursor's async iterator runs one next() at a time, in order; keeping a batch's worth of
  // them queued makes it ask for the next batch while this one is still being decrypted and sent.
  const it = cursor[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<ChunkDoc>>[] = [];
  try {
    for (;;) {
      while (ahead.length < perBatch) {
        const next = it.next();
        // Handled here so a failure further ahead is not an unhandled rejection; it is rethrown when reached.
        next.catch(() => {});
        ahead.push(next);
      }
      const result = await ahead.shift()!;
      if (result.done) return;
      yield { n: result.value.n, data: result.value.data };
    }
  } finally {
    // Let what is in flight settle first: the cursor must not close under a running getMore.
    await Promise.allSettled(ahead);
    await cursor.close();
  }
}

/**
 * The one way plaintext leaves the store: a blob's segments [firstIndex, lastIndex]
 * read in order and authenticated one by one (the image id and variant are in the
 * AAD, so a chunk moved between blobs fails). Throws on the first bad segment.
 */
export function readPlainBlob({
  dek,
  imageId,
  variant,
  ref,
  firstIndex = 0,
  lastIndex,
}: {
  dek: Buffer;
  imageId: string;
  variant: BlobVariant;
  ref: { fileId: ObjectId; prefix: Buffer | Uint8Array | Binary; size: number; segmentSize: number };
  firstIndex?: number;
  lastIndex?: number;
}): AsyncGenerator<Buffer> {
  const totalSegments = segmentCount(ref.size, ref.segmentSize);
  const last = lastIndex ?? totalSegments - 1;
  return decryptSegments({
    dek,
    prefix: toBuffer(ref.prefix),
    aad: blobAad({ imageId, variant }),
    totalSegments,
    size: ref.size,
    firstIndex,
    lastIndex: last,
    segmentSize: ref.segmentSize,
    source: readSealedChunks({ fileId: ref.fileId, firstIndex, lastIndex: last, segmentSize: ref.segmentSize }),
  });
}

export async function deleteBlobs({ fileIds }: { fileIds: ObjectId[] }): Promise<void> {
  if (fileIds.length === 0) return;
  const db = await getDb();
  // One equality per blob, never `$in`: FerretDB pushes only equality down to SQL, and an
  // `$in` reads every chunk of every image (their bytes too) to find a few.
  for (const fileId of fileIds) {
    // Chunks first, the file document last: until it goes, the sweeper can still find them.
    await chunks(db).deleteMany({ files_id: fileId });
    await files(db).deleteOne({ _id: fileId });
  }
}

/**
 * Removes blobs that no live image or upload owns: a file document (with its
 * chunks) whose image does not exist and which is not an open upload's
 * original. Young files are left alone: they may belong to an upload being
 * completed right now. Reads fs.files only (ids and metadata), so a pass costs
 * the number of blobs, not their bytes.
 */
export async function sweepOrphanBlobs({
  liveUploadFileIds,
  liveImageIds,
}: {
  liveUploadFileIds: Set<string>;
  liveImageIds: Set<string>;
}): Promise<{ files: number }> {
  const db = await getDb();
  const youngerThan = Date.now() - 10 * 60_000;
  const deadFiles: ObjectId[] = [];
  for await (const f of files(db).find({}, { projection: { _id: 1, uploadDate: 1, "metadata.imageId": 1 } })) {
    const live = f.uploadDate.getTime() > youngerThan || liveImageIds.has(f.metadata?.imageId) || liveUploadFileIds.has(f._id.toHexString());
    if (!live) deadFiles.push(f._id);
  }
  await deleteBlobs({ fileIds: deadFiles });
  return { files: deadFiles.length };
}
