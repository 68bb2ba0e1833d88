import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { SEGMENT_SIZE, V1_SEGMENT_SIZE } from "@/lib/blob-crypto";
import { getDb } from "@/lib/db";
import { dropHeldParts, heldPartBytes } from "@/lib/early-analysis";
import { type ImageDoc, openImageVariant } from "@/lib/images";
import { makeJpeg, readAll, truncated } from "@/lib/testing/fixtures";
import { completeUpload } from "@/lib/upload-completion";
import { PART_SIZE, beginUpload, putPart } from "@/lib/uploads";

const owner = () => randomBytes(12).toString("hex");

/** A noise JPEG of about 5 MB: two parts. */
async function twoPartJpeg(): Promise<Buffer> {
  const sharp = (await import("sharp")).default;
  return sharp(randomBytes(1500 * 1200 * 3), { raw: { width: 1500, height: 1200, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toBuffer();
}

async function sendParts({ ownerId, uploadId, bytes, order }: { ownerId: string; uploadId: string; bytes: Buffer; order: number[] }) {
  for (const i of order) await putPart({ ownerId, uploadId, index: i, bytes: bytes.subarray(i * PART_SIZE, (i + 1) * PART_SIZE) });
}

async function record(imageId: string) {
  return (await (await getDb()).collection<ImageDoc>("images").findOne({ _id: imageId }))!;
}

async function variants(ownerId: string, imageId: string) {
  const read = async (variant: "original" | "thumb" | "preview") => readAll((await openImageVariant({ ownerId, imageId, variant })).read());
  return { original: await read("original"), thumb: await read("thumb"), preview: await read("preview") };
}

describe("analysis from the parts as they arrive", () => {
  it("gives the same image as the read-back path, and holds no memory afterwards", async () => {
    const ownerId = owner();
    const bytes = await twoPartJpeg();
    expect(bytes.length).toBeGreaterThan(PART_SIZE);

    // Held in this process: complete takes the analysis made from the parts.
    const a = await beginUpload({ ownerId, name: "held.jpg", size: bytes.length });
    await sendParts({ ownerId, uploadId: a.uploadId, bytes, order: [0] });
    expect(heldPartBytes()).toBe(PART_SIZE);
    await sendParts({ ownerId, uploadId: a.uploadId, bytes, order: [1] });
    const held = await completeUpload({ ownerId, uploadId: a.uploadId });

    // As if another server process had received the parts: complete reads the original back.
    const b = await beginUpload({ ownerId, name: "read-back.jpg", size: bytes.length });
    await sendParts({ ownerId, uploadId: b.uploadId, bytes, order: [1, 0] });
    dropHeldParts({ uploadId: b.uploadId });
    const readBack = await completeUpload({ ownerId, uploadId: b.uploadId });

    expect(heldPartBytes()).toBe(0);
    // The second copy may also say which image it duplicates (lib/duplicates); the analysis is what is compared.
    const { duplicateOf: _copy, ...second } = readBack;
    expect({ ...held, id: "", name: "", createdAt: "" }).toEqual({ ...second, id: "", name: "", createdAt: "" });
    const one = await variants(ownerId, held.id);
    const two = await variants(ownerId, readBack.id);
    expect(one.original.equals(bytes)).toBe(true);
    expect(two.original.equals(bytes)).toBe(true);
    expect(one.thumb.equals(two.thumb)).toBe(true);
    expect(one.preview.equals(two.preview)).toBe(true);
  });

  it("a part sent again with other bytes: the stored (first) bytes are what gets analysed and served", async () => {
    const ownerId = owner();
    const first = await makeJpeg({ width: 300, height: 200 });
    const second = await makeJpeg({ width: 300, height: 200, quality: 40 });
    const { uploadId } = await beginUpload({ ownerId, name: "retried.jpg", size: first.length });
    await putPart({ ownerId, uploadId, index: 0, bytes: first });
    // Same length, other content: refused by nothing, but never stored over the first.
    const other = Buffer.concat([second, Buffer.alloc(Math.max(0, first.length - second.length))]).subarray(0, first.length);
    await putPart({ ownerId, uploadId, index: 0, bytes: other });
    const item = await completeUpload({ ownerId, uploadId });
    expect((await variants(ownerId, item.id)).original.equals(first)).toBe(true);
    expect(heldPartBytes()).toBe(0);
  });

  it("a damaged image analysed from held parts fails complete as damaged, not as an internal error", async () => {
    const ownerId = owner();
    const broken = truncated(await makeJpeg({ width: 1600, height: 1200 }), 0.4);
    const { uploadId } = await beginUpload({ ownerId, name: "broken.jpg", size: broken.length });
    await putPart({ ownerId, uploadId, index: 0, bytes: broken });
    await expect(completeUpload({ ownerId, uploadId })).rejects.toMatchObject({ code: "corrupt_image" });
    expect(heldPartBytes()).toBe(0);
  });

  it("a refused part 0 and a failed complete hold nothing", async () => {
    const ownerId = owner();
    const notImage = randomBytes(5000);
    const a = await beginUpload({ ownerId, name: "x.jpg", size: notImage.length });
    await expect(putPart({ ownerId, uploadId: a.uploadId, index: 0, bytes: notImage })).rejects.toMatchObject({ code: "unsupported_type" });
    const bytes = await twoPartJpeg();
    const b = await beginUpload({ ownerId, name: "half.jpg", size: bytes.length });
    await sendParts({ ownerId, uploadId: b.uploadId, bytes, order: [0] });
    await expect(completeUpload({ ownerId, uploadId: b.uploadId })).rejects.toMatchObject({ code: "upload_incomplete" });
    expect(heldPartBytes()).toBe(0);
  });
});

describe("uploads begun in format v1", () => {
  it("finish with 64 KiB segments and read back, while new uploads use 256 KiB", async () => {
    const ownerId = owner();
    const bytes = await twoPartJpeg();
    const db = await getDb();
    const legacy = await beginUpload({ ownerId, name: "legacy.jpg", size: bytes.length });
    // What an upload record made before format v2 looks like.
    await db.collection("uploads").updateOne({ _id: legacy.uploadId } as never, { $unset: { segmentSize: "" } });
    await sendParts({ ownerId, uploadId: legacy.uploadId, bytes, order: [0, 1] });
    dropHeldParts({ uploadId: legacy.uploadId });
    const old = await completeUpload({ ownerId, uploadId: legacy.uploadId });

    const fresh = await beginUpload({ ownerId, name: "new.jpg", size: bytes.length });
    await sendParts({ ownerId, uploadId: fresh.uploadId, bytes, order: [0, 1] });
    const item = await completeUpload({ ownerId, uploadId: fresh.uploadId });

    const oldDoc = await record(old.id);
    const newDoc = await record(item.id);
    expect(oldDoc.blobs.original.segmentSize).toBe(V1_SEGMENT_SIZE);
    expect(newDoc.blobs.original.segmentSize).toBe(SEGMENT_SIZE);
    const chunks = (fileId: unknown) => db.collection("fs.chunks").countDocuments({ files_id: fileId });
    expect(await chunks(oldDoc.blobs.original.fileId)).toBe(Math.ceil(bytes.length / V1_SEGMENT_SIZE));
    expect(await chunks(newDoc.blobs.original.fileId)).toBe(Math.ceil(bytes.length / SEGMENT_SIZE));
    const files = db.collection("fs.files");
    expect((await files.findOne({ _id: oldDoc.blobs.original.fileId }))?.metadata).toMatchObject({ v: 1, segmentSize: V1_SEGMENT_SIZE });
    expect((await files.findOne({ _id: newDoc.blobs.original.fileId }))?.metadata).toMatchObject({ v: 2, segmentSize: SEGMENT_SIZE });
    expect((await variants(ownerId, old.id)).original.equals(bytes)).toBe(true);
    expect((await variants(ownerId, item.id)).original.equals(bytes)).toBe(true);
  });
});
