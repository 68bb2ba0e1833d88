// Fast filling for the bench: writes complete, valid, encrypted images straight
// into the collections, exactly as lib/upload-completion completeUpload lays them out
// (image record + three GridFS blobs, each sealed under its own fresh data key,
// with the lib's own crypto and key functions). It skips only what is identical
// for every copy: the upload session round trips and the sharp analysis, which
// runs once for the template. Every copy reads, lists and zips like a real upload
// (the bench reads a few back through lib/images to prove it).
import { randomBytes, randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import { Binary, type Db, ObjectId } from "mongodb";

import { type AnalyzeResult, analyzeImage } from "@/lib/analyze";
import { type BlobVariant, CHUNK_SIZE, FORMAT_VERSION, SEGMENT_SIZE, newBlobPrefix, sealWholeBlob, sealedSize } from "@/lib/blob-crypto";
import { newDek, sealJson } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import type { ImageDoc, SealedMeta } from "@/lib/images";
import { wrapDek } from "@/lib/keys";
import type { ChunkDoc, FileDoc } from "@/lib/storage";

export type Template = { original: Buffer; analysis: AnalyzeResult };

export async function makeTemplate({ bytes, mime }: { bytes: Buffer; mime: string }): Promise<Template> {
  return { original: bytes, analysis: await analyzeImage({ source: Readable.from([bytes]), mime }) };
}

/** An ObjectId from `at` (ids carry their creation time; the sweeper reads it). */
function idAt(at: Date): ObjectId {
  const ts = Math.floor(at.getTime() / 1000).toString(16).padStart(8, "0");
  return new ObjectId(ts + randomBytes(8).toString("hex"));
}

function sealBlob({ dek, imageId, variant, plaintext, at }: { dek: Buffer; imageId: string; variant: BlobVariant; plaintext: Buffer; at: Date }) {
  const fileId = idAt(at);
  const prefix = newBlobPrefix();
  const sealed = sealWholeBlob({ dek, prefix, imageId, variant, plaintext });
  const chunks: ChunkDoc[] = sealed.map((data, n) => ({ _id: idAt(at), files_id: fileId, n, data: new Binary(data) }));
  const file: FileDoc = {
    _id: fileId,
    length: sealedSize(plaintext.length),
    chunkSize: CHUNK_SIZE,
    uploadDate: at,
    filename: fileId.toHexString(),
    metadata: { v: FORMAT_VERSION, segmentSize: SEGMENT_SIZE, variant, imageId },
  };
  return { ref: { fileId, prefix, size: plaintext.length, segmentSize: SEGMENT_SIZE }, chunks, file };
}

/**
 * Inserts `count` images for `ownerId` built from the template; createdAt steps
 * back one second per image from `startAt` so pages are stable, and blob ids and
 * upload dates carry the same time (so a `startAt` in the past makes them look
 * as old to the upload sweeper as real ones would). Chunks go in batches of at
 * most ~4 MiB, like one upload part.
 */
export async function insertCopies({
  ownerId,
  template,
  count,
  namePrefix,
  startAt = new Date(),
  db: givenDb,
}: {
  ownerId: string;
  template: Template;
  count: number;
  namePrefix: string;
  startAt?: Date;
  db?: Db;
}): Promise<string[]> {
  const db = givenDb ?? (await getDb());
  const ids: string[] = [];
  const { analysis, original } = template;
  const imagesBatch: ImageDoc[] = [];
  const filesBatch: FileDoc[] = [];
  let chunkBatch: ChunkDoc[] = [];
  let chunkBytes = 0;
  const flushChunks = async () => {
    if (chunkBatch.length) await db.collection<ChunkDoc>("fs.chunks").insertMany(chunkBatch, { ordered: false });
    chunkBatch = [];
    chunkBytes = 0;
  };
  const flushRecords = async () => {
    await flushChunks();
    // Records before their file documents, unlike completeUpload: the copies' blobs are backdated, so a
    // sweeper running meanwhile (a begin measured earlier starts one) would take files whose record is not
    // there yet for leftovers and delete them. Nothing reads the copies before the fill ends.
    if (imagesBatch.length) await db.collection<ImageDoc>("images").insertMany(imagesBatch.splice(0), { ordered: false });
    if (filesBatch.length) await db.collection<FileDoc>("fs.files").insertMany(filesBatch.splice(0), { ordered: false });
  };

  for (let i = 0; i < count; i++) {
    const imageId = randomUUID();
    const dek = newDek();
    const at = new Date(startAt.getTime() - i * 1000);
    const blobs = {
      original: sealBlob({ dek, imageId, variant: "original", plaintext: original, at }),
      preview: sealBlob({ dek, imageId, variant: "preview", plaintext: analysis.preview, at }),
      thumb: sealBlob({ dek, imageId, variant: "thumb", plaintext: analysis.thumb, at }),
    };
    for (const b of Object.values(blobs)) {
      for (const c of b.chunks) {
        chunkBatch.push(c);
        chunkBytes += c.data.length();
        if (chunkBytes >= 4 * 1024 * 1024) await flushChunks();
      }
      filesBatch.push(b.file);
    }
    const meta: SealedMeta = { ...analysis.meta, name: `${namePrefix}-${String(i).padStart(5, "0")}.${analysis.mime.split("/")[1]}` };
    const sealedMeta = sealJson({ dek, imageId, value: meta });
    imagesBatch.push({
      _id: imageId,
      ownerId,
      createdAt: at,
      size: original.length,
      mime: analysis.mime,
      width: analysis.width,
      height: analysis.height,
      trashedAt: null,
      v: 2,
      dek: wrapDek({ dek, imageId, ownerId }),
      blobs: {
        original: blobs.original.ref,
        preview: blobs.preview.ref,
        thumb: blobs.thumb.ref,
      },
      meta: { nonce: sealedMeta.nonce, sealed: sealedMeta.sealed },
    });
    ids.push(imageId);
    if (imagesBatch.length >= 200) await flushRecords();
  }
  await flushRecords();
  return ids;
}
