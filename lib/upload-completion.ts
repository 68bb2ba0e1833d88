import "server-only";

import type { ObjectId } from "mongodb";

import { analyzeImage } from "@/lib/analyze";
import { enqueueAnalysis, noteUploadActivity } from "@/lib/analysis-queue";
import { V1_SEGMENT_SIZE, segmentCount } from "@/lib/blob-crypto";
import { openJson, sealJson, toBuffer } from "@/lib/crypto";
import { contentKeyOf, findExactDuplicates, getSkipDuplicates, recordContent } from "@/lib/duplicates";
import { dropHeldParts, takeHeldAnalysis } from "@/lib/early-analysis";
import { AppError } from "@/lib/errors";
import type { GalleryItem } from "@/lib/gallery-types";
import { sniffImageType } from "@/lib/image-types";
import { type ImageDoc, type SealedMeta, getImage, insertImage, toGalleryItem } from "@/lib/images";
import { unwrapDek } from "@/lib/keys";
import { type BlobRef, countChunks, deleteBlobs, finalizeBlob, readPlainBlob, writeSmallBlob } from "@/lib/storage";
import { type UploadDoc, discardUpload, uploads } from "@/lib/upload-records";

/** The type of an upload whose part-0 receipt was lost in a race, sniffed again from its first stored segment. */
async function sniffStoredType({ upload, dek, segmentSize }: { upload: UploadDoc; dek: Buffer; segmentSize: number }): Promise<string> {
  const head: Buffer[] = [];
  const ref = { ...upload.original, size: upload.size, segmentSize };
  for await (const plain of readPlainBlob({ dek, imageId: upload.imageId, variant: "original", ref, lastIndex: 0 })) {
    head.push(plain);
  }
  return (await sniffImageType({ head: Buffer.concat(head) })).mime;
}

/**
 * Checks that every part is there, analyses the original (from the parts held
 * in memory when this process received them all, else decrypted back out of
 * the database) for its size, thumbnail, preview and metadata, then writes the
 * blob documents and finally the image record. On any failure everything
 * written is removed.
 */
export async function completeUpload({ ownerId, uploadId }: { ownerId: string; uploadId: string }): Promise<GalleryItem> {
  noteUploadActivity();
  const coll = await uploads();
  const upload = await coll.findOneAndUpdate(
    { _id: uploadId, ownerId, state: "open", expiresAt: { $gt: new Date() } },
    { $set: { state: "completing", completingAt: new Date() } },
    { returnDocument: "after" },
  );
  if (!upload) throw new AppError("not_found", "This upload has expired, was already finished, or does not exist.");

  const written: ObjectId[] = [];
  try {
    const segmentSize = upload.segmentSize ?? V1_SEGMENT_SIZE;
    const totalSegments = segmentCount(upload.size, segmentSize);
    // A part is in partsDone only after every one of its chunks was stored (or found stored), so
    // the chunks are counted only when a receipt is missing: FerretDB counts by reading every chunk.
    const missing = [...Array(upload.partCount).keys()].filter((i) => !upload.partsDone.includes(i));
    if (missing.length && (await countChunks({ fileId: upload.original.fileId })) !== totalSegments) {
      dropHeldParts({ uploadId });
      throw new AppError("upload_incomplete", "Some parts of the file never arrived. Please upload it again.");
    }
    const contentKey = await contentKeyOf({ ownerId, size: upload.size, partCount: upload.partCount, partMacs: upload.partMacs });
    const duplicates = contentKey ? await findExactDuplicates({ ownerId, contentKey }) : [];
    if (duplicates.length && (await getSkipDuplicates({ ownerId }))) {
      // "Skip duplicates": nothing is stored; the row points at the copy already there.
      dropHeldParts({ uploadId });
      await discardUpload(upload);
      return { ...(await getImage({ ownerId, imageId: duplicates[0] })), duplicateOf: duplicates[0], skipped: true };
    }
    const dek = unwrapDek({ wrappedKey: upload.dek, imageId: upload.imageId, ownerId });
    const mime = upload.mime ?? (await sniffStoredType({ upload, dek, segmentSize }));
    const { name } = openJson({
      dek,
      imageId: upload.imageId,
      nonce: toBuffer(upload.name.nonce),
      sealed: toBuffer(upload.name.sealed),
    }) as { name: string };

    const analysis = await (takeHeldAnalysis({ uploadId }) ??
      analyzeImage({
        mime,
        source: readPlainBlob({
          dek,
          imageId: upload.imageId,
          variant: "original",
          ref: { ...upload.original, size: upload.size, segmentSize },
        }),
      }));

    // Independent writes, side by side; the image record still comes last.
    const writes = await Promise.allSettled([
      writeSmallBlob({ dek, imageId: upload.imageId, variant: "thumb", plaintext: analysis.thumb }),
      writeSmallBlob({ dek, imageId: upload.imageId, variant: "preview", plaintext: analysis.preview }),
      finalizeBlob({ fileId: upload.original.fileId, size: upload.size, variant: "original", imageId: upload.imageId, segmentSize }),
    ]);
    for (const w of writes.slice(0, 2)) if (w.status === "fulfilled") written.push((w.value as BlobRef).fileId);
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === "rejected");
    if (failed) throw failed.reason;
    const [thumb, preview] = writes.map((w) => (w as PromiseFulfilledResult<BlobRef | void>).value) as [BlobRef, BlobRef];

    const meta: SealedMeta = { ...analysis.meta, name };
    const sealedMeta = sealJson({ dek, imageId: upload.imageId, value: meta });
    const doc: ImageDoc = {
      _id: upload.imageId,
      ownerId,
      createdAt: new Date(),
      size: upload.size,
      mime: analysis.mime,
      width: analysis.width,
      height: analysis.height,
      trashedAt: null,
      // v2: every blob reference carries its segment size (an upload begun in v1 keeps a 64 KiB original).
      v: 2,
      dek: upload.dek,
      blobs: {
        original: { fileId: upload.original.fileId, prefix: toBuffer(upload.original.prefix), size: upload.size, segmentSize },
        preview: { fileId: preview.fileId, prefix: preview.prefix, size: preview.size, segmentSize: preview.segmentSize },
        thumb: { fileId: thumb.fileId, prefix: thumb.prefix, size: thumb.size, segmentSize: thumb.segmentSize },
      },
      meta: { nonce: sealedMeta.nonce, sealed: sealedMeta.sealed },
    };
    await insertImage({ doc });
    // Characteristics come later, off this request (lib/analysis-queue); a lost job is found again by the backfill.
    await enqueueAnalysis({ ownerId, imageId: doc._id }).catch((err) => console.error("[analysis] could not queue an image:", err));
    if (contentKey) await recordContent({ ownerId, imageId: doc._id, contentKey }).catch((err) => console.error("[duplicates] could not record an image:", err));
    await coll.deleteOne({ _id: uploadId });
    return { ...toGalleryItem(doc, meta), analysis: "pending", ...(duplicates.length ? { duplicateOf: duplicates[0] } : {}) };
  } catch (err) {
    dropHeldParts({ uploadId });
    await deleteBlobs({ fileIds: written }).catch(() => {});
    await discardUpload(upload).catch(() => {});
    throw err;
  }
}
