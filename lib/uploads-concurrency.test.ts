import { randomBytes } from "node:crypto";

import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";

import { sealedSize, segmentCount, segmentSizeOf } from "@/lib/blob-crypto";
import { getDb } from "@/lib/db";
import { dropHeldParts, heldPartBytes } from "@/lib/early-analysis";
import { listImages } from "@/lib/image-listing";
import { type ImageDoc, openImageVariant } from "@/lib/images";
import { readAll } from "@/lib/testing/fixtures";
import { completeUpload } from "@/lib/upload-completion";
import { PART_SIZE, beginUpload, putPart } from "@/lib/uploads";

const UPLOADERS = 5;
const IMAGES_EACH = 3;

async function noiseJpeg({ width, height }: { width: number; height: number }): Promise<Buffer> {
  const sharp = (await import("sharp")).default;
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toBuffer();
}

describe("many uploaders at once", () => {
  // Fifteen noise JPEGs analysed at once: about a minute on a loaded 2-core machine, far less on a quiet one.
  it(`${UPLOADERS} uploaders × ${IMAGES_EACH} images: nothing lost, nothing left over`, async () => {
    // Each uploader's first image spans two parts, the others fit in one.
    const files = await Promise.all(
      Array.from({ length: UPLOADERS }, async (_, u) => ({
        ownerId: `uploader-${u}-${randomBytes(4).toString("hex")}`,
        images: await Promise.all(
          Array.from({ length: IMAGES_EACH }, (_, i) => noiseJpeg(i === 0 ? { width: 1500, height: 1100 } : { width: 500 + 40 * u, height: 400 + 30 * i })),
        ),
      })),
    );
    expect(files[0].images[0].length).toBeGreaterThan(PART_SIZE);

    // Every uploader runs its images one after the other, parts in order, as the browser does; all uploaders at once.
    const uploaded = await Promise.all(
      files.map(async ({ ownerId, images }) => {
        const ids: string[] = [];
        for (const [i, bytes] of images.entries()) {
          const { uploadId, partCount } = await beginUpload({ ownerId, name: `img-${i}.jpg`, size: bytes.length });
          for (let p = 0; p < partCount; p++) {
            await putPart({ ownerId, uploadId, index: p, bytes: bytes.subarray(p * PART_SIZE, (p + 1) * PART_SIZE) });
          }
          ids.push((await completeUpload({ ownerId, uploadId })).id);
        }
        return ids;
      }),
    );

    const db = await getDb();
    for (const [u, { ownerId, images }] of files.entries()) {
      const listed = await listImages({ ownerId, limit: 100 });
      expect(listed.items.map((item) => item.id).sort()).toEqual([...uploaded[u]].sort());
      for (const [i, bytes] of images.entries()) {
        const opened = await openImageVariant({ ownerId, imageId: uploaded[u][i], variant: "original" });
        expect((await readAll(opened.read())).equals(bytes)).toBe(true);
      }
    }

    // No upload left open, no memory held, and every chunk and file belongs to exactly what the records name.
    expect(await db.collection("uploads").countDocuments({})).toBe(0);
    expect(heldPartBytes()).toBe(0);
    const docs = await db.collection<ImageDoc>("images").find({}).toArray();
    expect(docs).toHaveLength(UPLOADERS * IMAGES_EACH);
    const expectedChunks = new Map<string, number>();
    for (const doc of docs) {
      for (const ref of Object.values(doc.blobs)) {
        const segmentSize = segmentSizeOf({ v: doc.v, segmentSize: ref.segmentSize });
        expectedChunks.set(ref.fileId.toHexString(), segmentCount(ref.size, segmentSize));
        const file = await db.collection("fs.files").findOne({ _id: ref.fileId });
        expect(file?.length).toBe(sealedSize(ref.size, segmentSize));
      }
    }
    expect(await db.collection("fs.files").countDocuments({})).toBe(expectedChunks.size);
    const chunkOwners: { toHexString(): string }[] = await db.collection("fs.chunks").distinct("files_id");
    expect(new Set(chunkOwners.map((id) => id.toHexString()))).toEqual(new Set(expectedChunks.keys()));
    for (const [fileId, count] of expectedChunks) {
      expect(await db.collection("fs.chunks").countDocuments({ files_id: new ObjectId(fileId) })).toBe(count);
    }
  }, 180_000);

  it("parts of one upload sent all at once, some twice, still complete (FerretDB loses racing updates)", async () => {
    const ownerId = `racer-${randomBytes(4).toString("hex")}`;
    const bytes = await noiseJpeg({ width: 2200, height: 1700 });
    const { uploadId, partCount } = await beginUpload({ ownerId, name: "racing.jpg", size: bytes.length });
    expect(partCount).toBeGreaterThanOrEqual(3);
    const part = (p: number) => putPart({ ownerId, uploadId, index: p, bytes: bytes.subarray(p * PART_SIZE, (p + 1) * PART_SIZE) });
    await part(0);
    await Promise.all([...Array(partCount).keys()].flatMap((p) => [part(p), part(p)]));
    const item = await completeUpload({ ownerId, uploadId });
    const opened = await openImageVariant({ ownerId, imageId: item.id, variant: "original" });
    expect((await readAll(opened.read())).equals(bytes)).toBe(true);
  });

  it("an upload whose receipts were lost elsewhere completes from what is stored", async () => {
    const ownerId = `lost-${randomBytes(4).toString("hex")}`;
    const bytes = await noiseJpeg({ width: 1500, height: 1100 });
    const { uploadId, partCount } = await beginUpload({ ownerId, name: "lost.jpg", size: bytes.length });
    for (let p = 0; p < partCount; p++) await putPart({ ownerId, uploadId, index: p, bytes: bytes.subarray(p * PART_SIZE, (p + 1) * PART_SIZE) });
    // What a race between two server processes can leave: receipts and the type gone, the chunks all there.
    const db = await getDb();
    await db.collection("uploads").updateOne({ _id: uploadId } as never, { $set: { partsDone: [] }, $unset: { mime: "" } });
    dropHeldParts({ uploadId });
    const item = await completeUpload({ ownerId, uploadId });
    expect(item.mime).toBe("image/jpeg");
    const opened = await openImageVariant({ ownerId, imageId: item.id, variant: "original" });
    expect((await readAll(opened.read())).equals(bytes)).toBe(true);
  });
});
