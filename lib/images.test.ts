import { randomBytes, randomUUID } from "node:crypto";

import { Binary, ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";

import {
  type BlobVariant,
  SEGMENT_SIZE,
  V1_SEGMENT_SIZE,
  blobAad,
  newBlobPrefix,
  sealSegments,
  segmentCount,
} from "@/lib/blob-crypto";
import { newDek, sealJson } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { type ImageDoc, deleteImagesForever, insertImage, openImageVariant } from "@/lib/images";
import { DEK_HOLDERS } from "@/lib/key-maintenance";
import { rotateKeys, wrapDek } from "@/lib/keys";
import { finalizeBlob, insertSealedChunks } from "@/lib/storage";
import { makeJpeg, makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");

/** Reads a variant, keeping whatever plaintext was released before a failure. */
async function readCollecting(ownerId: string, imageId: string, variant: "original" | "thumb" | "preview") {
  const released: Buffer[] = [];
  try {
    const opened = await openImageVariant({ ownerId, imageId, variant });
    for await (const piece of opened.read()) released.push(piece);
    return { released: Buffer.concat(released), error: null };
  } catch (error) {
    return { released: Buffer.concat(released), error: error as { code?: string } };
  }
}

/** An original of several segments (about 1.4 MB of noise PNG), so tampering can hit the middle. */
async function storedImage(ownerId: string) {
  const sharp = (await import("sharp")).default;
  const bytes = await sharp(randomBytes(800 * 600 * 3), { raw: { width: 800, height: 600, channels: 3 } }).png().toBuffer();
  const item = await uploadBytes({ ownerId, name: "tamper.png", bytes });
  const db = await getDb();
  const doc = (await db.collection<ImageDoc>("images").findOne({ _id: item.id }))!;
  return { item, bytes, doc, db };
}

async function chunkOf(fileId: ObjectId, n: number) {
  return (await getDb()).collection("fs.chunks").findOne({ files_id: fileId, n });
}

describe("reading fails closed on tampering", () => {
  it("a flipped byte in a middle chunk stops before that segment", async () => {
    const ownerId = owner();
    const { item, bytes, doc, db } = await storedImage(ownerId);
    const chunk = (await chunkOf(doc.blobs.original.fileId, 2))!;
    const data = Buffer.from(chunk.data.buffer);
    data[100] ^= 0x01;
    await db.collection("fs.chunks").updateOne({ _id: chunk._id }, { $set: { data: new Binary(data) } });
    const { released, error } = await readCollecting(ownerId, item.id, "original");
    expect(error?.code).toBe("integrity");
    expect(released.length).toBe(2 * SEGMENT_SIZE);
    expect(released.equals(bytes.subarray(0, 2 * SEGMENT_SIZE))).toBe(true);
  });

  it("a changed tag fails", async () => {
    const ownerId = owner();
    const { item, doc, db } = await storedImage(ownerId);
    const chunk = (await chunkOf(doc.blobs.original.fileId, 0))!;
    const data = Buffer.from(chunk.data.buffer);
    data[data.length - 1] ^= 0x80;
    await db.collection("fs.chunks").updateOne({ _id: chunk._id }, { $set: { data: new Binary(data) } });
    const { released, error } = await readCollecting(ownerId, item.id, "original");
    expect(error?.code).toBe("integrity");
    expect(released.length).toBe(0);
  });

  it("a truncated blob (last chunk removed) fails", async () => {
    const ownerId = owner();
    const { item, doc, db } = await storedImage(ownerId);
    const last = await db.collection("fs.chunks").find({ files_id: doc.blobs.original.fileId }).sort({ n: -1 }).limit(1).next();
    await db.collection("fs.chunks").deleteOne({ _id: last!._id });
    expect((await readCollecting(ownerId, item.id, "original")).error?.code).toBe("integrity");
  });

  it("reordered chunks fail", async () => {
    const ownerId = owner();
    const { item, doc, db } = await storedImage(ownerId);
    const a = (await chunkOf(doc.blobs.original.fileId, 0))!;
    const b = (await chunkOf(doc.blobs.original.fileId, 1))!;
    await db.collection("fs.chunks").updateOne({ _id: a._id }, { $set: { data: b.data } });
    await db.collection("fs.chunks").updateOne({ _id: b._id }, { $set: { data: a.data } });
    const { released, error } = await readCollecting(ownerId, item.id, "original");
    expect(error?.code).toBe("integrity");
    expect(released.length).toBe(0);
  });

  it("a chunk swapped in from another image, or another variant, fails", async () => {
    const ownerId = owner();
    const one = await storedImage(ownerId);
    const two = await storedImage(ownerId);
    const foreign = (await chunkOf(two.doc.blobs.original.fileId, 0))!;
    const target = (await chunkOf(one.doc.blobs.original.fileId, 0))!;
    await one.db.collection("fs.chunks").updateOne({ _id: target._id }, { $set: { data: foreign.data } });
    expect((await readCollecting(ownerId, one.item.id, "original")).error?.code).toBe("integrity");

    // The thumbnail's blob pointed at the preview's chunks: same key, other variant.
    await one.db.collection("images").updateOne({ _id: two.item.id } as never, { $set: { "blobs.thumb": two.doc.blobs.preview } });
    expect((await readCollecting(ownerId, two.item.id, "thumb")).error?.code).toBe("integrity");
  });

  it("a changed wrapped key fails before any read", async () => {
    const ownerId = owner();
    const { item, bytes, doc, db } = await storedImage(ownerId);
    const original = doc.dek.wrapped as Binary;
    const wrapped = Buffer.from(original.buffer);
    wrapped[3] ^= 0x10;
    const setWrapped = (value: Binary) => db.collection("images").updateOne({ _id: item.id } as never, { $set: { "dek.wrapped": value } });
    await setWrapped(new Binary(wrapped));
    try {
      expect(await readCollecting(ownerId, item.id, "original")).toEqual({ released: Buffer.alloc(0), error: expect.objectContaining({ code: "integrity" }) });
    } finally {
      // A key that does not unwrap is data loss to key rotation, which rightly stops on it: leave none behind.
      await setWrapped(original);
    }
    const restored = await readCollecting(ownerId, item.id, "original");
    expect(restored.error).toBeNull();
    expect(restored.released.equals(bytes)).toBe(true);
  });
});

/**
 * An image exactly as the format-v1 code stored it: 64 KiB segments, a v1
 * record whose blob references carry no segment size.
 */
async function storeV1Image({ ownerId, bytes }: { ownerId: string; bytes: Buffer }) {
  const imageId = randomUUID();
  const dek = newDek();
  const blob = async (variant: BlobVariant, plaintext: Buffer) => {
    const fileId = new ObjectId();
    const prefix = newBlobPrefix();
    const sealed = sealSegments({
      dek,
      prefix,
      aad: blobAad({ imageId, variant }),
      firstIndex: 0,
      totalSegments: segmentCount(plaintext.length, V1_SEGMENT_SIZE),
      plaintext,
      segmentSize: V1_SEGMENT_SIZE,
    });
    await insertSealedChunks({ fileId, firstIndex: 0, sealed });
    await finalizeBlob({ fileId, size: plaintext.length, variant, imageId, segmentSize: V1_SEGMENT_SIZE });
    return { fileId, prefix, size: plaintext.length };
  };
  const thumb = await makePng({ width: 40, height: 30 });
  const meta = sealJson({ dek, imageId, value: { format: "png", pages: 1, hasAlpha: false, exif: {}, gps: null, palette: [], name: "old.png" } });
  const doc: ImageDoc = {
    _id: imageId,
    ownerId,
    createdAt: new Date(),
    size: bytes.length,
    mime: "image/png",
    width: 800,
    height: 600,
    trashedAt: null,
    v: 1,
    dek: wrapDek({ dek, imageId, ownerId }),
    blobs: { original: await blob("original", bytes), preview: await blob("preview", thumb), thumb: await blob("thumb", thumb) },
    meta: { nonce: meta.nonce, sealed: meta.sealed },
  };
  await insertImage({ doc });
  return { imageId, thumb };
}

describe("format v1 records", () => {
  it("still read whole, by range and per variant", async () => {
    const ownerId = owner();
    const sharp = (await import("sharp")).default;
    const bytes = await sharp(randomBytes(600 * 400 * 3), { raw: { width: 600, height: 400, channels: 3 } }).png().toBuffer();
    const { imageId, thumb } = await storeV1Image({ ownerId, bytes });
    const db = await getDb();
    const stored = (await db.collection<ImageDoc>("images").findOne({ _id: imageId }))!;
    expect(await db.collection("fs.chunks").countDocuments({ files_id: stored.blobs.original.fileId })).toBe(Math.ceil(bytes.length / V1_SEGMENT_SIZE));

    const { released, error } = await readCollecting(ownerId, imageId, "original");
    expect(error).toBeNull();
    expect(released.equals(bytes)).toBe(true);
    const opened = await openImageVariant({ ownerId, imageId, variant: "original" });
    expect(opened.etag).toContain("-v1");
    const parts: Buffer[] = [];
    for await (const p of opened.read({ start: 65_530, end: 200_000 })) parts.push(p);
    expect(Buffer.concat(parts).equals(bytes.subarray(65_530, 200_001))).toBe(true);
    expect((await readCollecting(ownerId, imageId, "thumb")).released.equals(thumb)).toBe(true);
  });
});

describe("keys and lifecycle", () => {
  it("rotation rewraps stored images; the old key can then be retired", async () => {
    const ownerId = owner();
    const saved = process.env.IMAGE_KEYS!;
    const { item, bytes, db } = await storedImage(ownerId);
    const next = `next:${randomBytes(32).toString("base64")}`;
    process.env.IMAGE_KEYS = `${next},${saved}`;
    try {
      const { rewrapped } = await rotateKeys({ db, holders: DEK_HOLDERS });
      // Every key in the database, this test's and any other's, is now under the new key.
      expect(rewrapped).toBeGreaterThanOrEqual(1);
      expect(await db.collection("images").countDocuments({ "dek.kid": { $ne: "next" } })).toBe(0);
      expect(await db.collection("images").countDocuments({ _id: item.id, "dek.kid": "next" } as never)).toBe(1);
      process.env.IMAGE_KEYS = next;
      const { released, error } = await readCollecting(ownerId, item.id, "original");
      expect(error).toBeNull();
      expect(released.equals(bytes)).toBe(true);
    } finally {
      // Tests after this one write under the usual key and still read what was rewrapped.
      process.env.IMAGE_KEYS = `${saved},${next}`;
    }
  });

  it("deleting forever removes the record, every blob and every chunk", async () => {
    const ownerId = owner();
    const { item, doc, db } = await storedImage(ownerId);
    const fileIds = [doc.blobs.original.fileId, doc.blobs.preview.fileId, doc.blobs.thumb.fileId];
    expect(await deleteImagesForever({ ownerId: owner(), imageIds: [item.id] })).toBe(0);
    expect(await deleteImagesForever({ ownerId, imageIds: [item.id, item.id] })).toBe(1);
    expect(await db.collection("images").countDocuments({ _id: item.id } as never)).toBe(0);
    expect(await db.collection("fs.chunks").countDocuments({ files_id: { $in: fileIds } })).toBe(0);
    expect(await db.collection("fs.files").countDocuments({ _id: { $in: fileIds } })).toBe(0);
    expect((await readCollecting(ownerId, item.id, "original")).error?.code).toBe("not_found");
  });

  it("a thumbnail of a JPEG with orientation is upright", async () => {
    const ownerId = owner();
    // Stored sideways: red on the left, blue on the right. Orientation 6 turns it 90° clockwise
    // for display, so upright, red is on top and blue at the bottom.
    const bytes = await makeJpeg({ width: 200, height: 100, orientation: 6, colors: ["#ff0000", "#0000ff"] });
    const item = await uploadBytes({ ownerId, name: "rotated.jpg", bytes });
    expect({ w: item.width, h: item.height }).toEqual({ w: 100, h: 200 });

    const { released, error } = await readCollecting(ownerId, item.id, "thumb");
    expect(error).toBeNull();
    const sharp = (await import("sharp")).default;
    const { data, info } = await sharp(released).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([100, 200]);
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const near = (rgb: number[], want: number[]) => rgb.every((c, i) => Math.abs(c - want[i]) <= 40);
    for (const [x, y] of [[10, 10], [90, 20], [50, 80]]) expect(near(pixel(x, y), [255, 0, 0]), `red at ${x},${y}: ${pixel(x, y)}`).toBe(true);
    for (const [x, y] of [[10, 190], [90, 180], [50, 120]]) expect(near(pixel(x, y), [0, 0, 255]), `blue at ${x},${y}: ${pixel(x, y)}`).toBe(true);
  });
});
