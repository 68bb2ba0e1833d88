import "server-only";

import type { Binary, ObjectId } from "mongodb";

import { getDb } from "@/lib/db";
import type { DekHolder, StoredWrappedDek } from "@/lib/keys";
import { deleteBlobs } from "@/lib/storage";
import { releaseQuota } from "@/lib/usage";

/**
 * The record of an upload in progress, which both halves of an upload work
 * on: begin and parts (lib/uploads.ts) and complete (lib/upload-completion.ts).
 */

export type UploadDoc = {
  _id: string;
  imageId: string;
  ownerId: string;
  size: number;
  partCount: number;
  mime: string | null;
  state: "open" | "completing";
  completingAt?: Date;
  dek: StoredWrappedDek;
  original: { fileId: ObjectId; prefix: Binary | Buffer };
  /** The original's segment size; absent on uploads begun before format v2, which stay v1 (64 KiB) to the end. */
  segmentSize?: number;
  // The filename is private: sealed like the image's metadata, never stored in clear.
  name: { nonce: Binary | Buffer; sealed: Binary | Buffer };
  partsDone: number[];
  /** Keyed MACs of each part's plaintext (lib/duplicates): the exact-duplicate check at complete. */
  partMacs?: Record<string, string>;
  createdAt: Date;
  expiresAt: Date;
};

/** Where open uploads keep their wrapped data key, for the key check and rotation (lib/key-maintenance). */
export const uploadDekHolder: DekHolder = {
  collection: "uploads",
  fields: ["imageId", "ownerId"],
  context: (doc) => ({ imageId: doc.imageId, ownerId: doc.ownerId }),
};

export async function uploads() {
  return (await getDb()).collection<UploadDoc>("uploads");
}

/**
 * Deletes an upload, gives its quota back and removes every chunk it wrote.
 * The record goes first and only the caller that actually deleted it releases
 * the quota, so an abort racing the sweeper cannot give the space back twice;
 * after a crash right after, the original's file document (written at begin)
 * is still there, so the sweeper finds and removes the chunks.
 */
export async function discardUpload(upload: Pick<UploadDoc, "_id" | "ownerId" | "size" | "original">): Promise<void> {
  const { deletedCount } = await (await uploads()).deleteOne({ _id: upload._id });
  if (deletedCount === 1) await releaseQuota({ ownerId: upload.ownerId, bytes: upload.size, count: 1 });
  await deleteBlobs({ fileIds: [upload.original.fileId] });
}
