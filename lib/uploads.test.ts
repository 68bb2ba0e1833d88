import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { SEGMENT_SIZE } from "@/lib/blob-crypto";
import { getDb } from "@/lib/db";
import { listImages } from "@/lib/image-listing";
import { getImage, openImageVariant } from "@/lib/images";
import { bigNoiseJpeg, htmlBytes, makeBombPng, makeJpeg, makePng, pdfBytes, readAll, svgBytes, truncated } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";
import { completeUpload } from "@/lib/upload-completion";
import { PART_SIZE, abortUpload, beginUpload, putPart, sweepUploads } from "@/lib/uploads";

const owner = () => randomBytes(12).toString("hex");

describe("uploads", () => {
  it("serves byte ranges of the original", async () => {
    const ownerId = owner();
    const bytes = await bigNoiseJpeg();
    const item = await uploadBytes({ ownerId, name: "big.jpg", bytes });
    const opened = await openImageVariant({ ownerId, imageId: item.id, variant: "original" });
    for (const [start, end] of [
      [0, 0],
      [65530, 65545],
      [bytes.length - 10, bytes.length - 1],
      [PART_SIZE - 3, PART_SIZE + 3],
    ]) {
      expect((await readAll(opened.read({ start, end }))).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it("accepts parts out of order and retried parts without changing stored data", async () => {
    const ownerId = owner();
    const bytes = await bigNoiseJpeg();
    expect(bytes.length).toBeGreaterThan(PART_SIZE);
    const { uploadId, partCount } = await beginUpload({ ownerId, name: "ooo.jpg", size: bytes.length });
    const part = (i: number) => bytes.subarray(i * PART_SIZE, (i + 1) * PART_SIZE);
    await putPart({ ownerId, uploadId, index: 0, bytes: part(0) });
    for (let i = partCount - 1; i >= 1; i--) await putPart({ ownerId, uploadId, index: i, bytes: part(i) });
    const before = await (await getDb()).collection("fs.chunks").countDocuments();
    await putPart({ ownerId, uploadId, index: 1, bytes: part(1) });
    expect(await (await getDb()).collection("fs.chunks").countDocuments()).toBe(before);
    const item = await completeUpload({ ownerId, uploadId });
    const back = await readAll((await openImageVariant({ ownerId, imageId: item.id, variant: "original" })).read());
    expect(back.equals(bytes)).toBe(true);
  });

  it("refuses a part whose size does not fit the declared total", async () => {
    const ownerId = owner();
    const bytes = await makePng({ width: 50, height: 50 });
    const { uploadId } = await beginUpload({ ownerId, name: "a.png", size: bytes.length + 5 });
    await expect(putPart({ ownerId, uploadId, index: 0, bytes })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(putPart({ ownerId, uploadId, index: 3, bytes })).rejects.toMatchObject({ code: "invalid_input" });
  });

  it.each([
    ["an SVG", svgBytes, "unsupported_type"],
    ["an HTML page", htmlBytes, "unsupported_type"],
    ["a PDF", pdfBytes, "unsupported_type"],
    ["random bytes", randomBytes(5000), "unsupported_type"],
  ])("rejects %s on part 0 and discards the upload", async (_label, bytes, code) => {
    const ownerId = owner();
    const { uploadId } = await beginUpload({ ownerId, name: "evil.jpg", size: bytes.length });
    await expect(putPart({ ownerId, uploadId, index: 0, bytes })).rejects.toMatchObject({ code });
    await expect(completeUpload({ ownerId, uploadId })).rejects.toMatchObject({ code: "not_found" });
  });

  it("rejects a decompression bomb at part 0 and a truncated image at complete, leaving no chunks", async () => {
    const ownerId = owner();
    const bomb = await makeBombPng();
    const b = await beginUpload({ ownerId, name: "bomb.png", size: bomb.length });
    await expect(putPart({ ownerId, uploadId: b.uploadId, index: 0, bytes: bomb })).rejects.toMatchObject({ code: "image_too_big" });

    const broken = truncated(await makeJpeg({ width: 800, height: 600 }), 0.5);
    await expect(uploadBytes({ ownerId, name: "broken.jpg", bytes: broken })).rejects.toMatchObject({ code: "corrupt_image" });
    const db = await getDb();
    expect(await db.collection("uploads").countDocuments({ ownerId })).toBe(0);
    const live = new Set((await db.collection("fs.files").find({}).toArray()).map((f) => String(f._id)));
    const chunkOwners: unknown[] = await db.collection("fs.chunks").distinct("files_id");
    expect(chunkOwners.every((id) => live.has(String(id)))).toBe(true);
  });

  it("rejects empty and oversized files at begin", async () => {
    const ownerId = owner();
    await expect(beginUpload({ ownerId, name: "empty.png", size: 0 })).rejects.toMatchObject({ code: "empty_file" });
    await expect(beginUpload({ ownerId, name: "huge.png", size: 101 * 1024 * 1024 })).rejects.toMatchObject({ code: "too_large" });
  });

  it("sweeps abandoned uploads with their chunks", async () => {
    const ownerId = owner();
    const bytes = await bigNoiseJpeg();
    const { uploadId } = await beginUpload({ ownerId, name: "abandoned.jpg", size: bytes.length });
    await putPart({ ownerId, uploadId, index: 0, bytes: bytes.subarray(0, PART_SIZE) });
    const db = await getDb();
    const upload = await db.collection("uploads").findOne({ _id: uploadId } as never);
    const fileId = upload!.original.fileId;
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(PART_SIZE / SEGMENT_SIZE);
    await db.collection("uploads").updateOne({ _id: uploadId } as never, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const swept = await sweepUploads();
    expect(swept.uploads).toBeGreaterThanOrEqual(1);
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(0);
    expect(await db.collection("uploads").countDocuments({ _id: uploadId } as never)).toBe(0);
  });

  it("sweeps blobs whose image record is gone (file documents with their chunks), but not young ones", async () => {
    const ownerId = owner();
    const item = await uploadBytes({ ownerId, name: "orphaned.png", bytes: await makePng({ width: 40, height: 40 }) });
    const db = await getDb();
    const doc = await db.collection("images").findOne({ _id: item.id } as never);
    const fileIds = [doc!.blobs.original.fileId, doc!.blobs.thumb.fileId, doc!.blobs.preview.fileId];
    // A crash between writing blobs and the record: the record is missing.
    await db.collection("images").deleteOne({ _id: item.id } as never);
    await sweepUploads();
    expect(await db.collection("fs.files").countDocuments({ _id: { $in: fileIds } })).toBe(3); // too young to judge
    const old = new Date(Date.now() - 3600_000);
    await db.collection("fs.files").updateMany({ _id: { $in: fileIds } }, { $set: { uploadDate: old } });
    const swept = await sweepUploads();
    expect(swept.files).toBeGreaterThanOrEqual(3);
    expect(await db.collection("fs.files").countDocuments({ _id: { $in: fileIds } })).toBe(0);
    expect(await db.collection("fs.chunks").countDocuments({ files_id: { $in: fileIds } })).toBe(0);
  });

  it("gives every blob its file document before the first chunk, so no chunk is ever without one", async () => {
    const ownerId = owner();
    const bytes = await bigNoiseJpeg();
    const { uploadId } = await beginUpload({ ownerId, name: "order.jpg", size: bytes.length });
    const db = await getDb();
    const fileId = (await db.collection("uploads").findOne({ _id: uploadId } as never))!.original.fileId;
    // Registered at begin, before any chunk: pending, empty.
    expect(await db.collection("fs.files").findOne({ _id: fileId })).toMatchObject({ length: 0, metadata: { variant: "original", pending: true } });
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(0);
    for (let i = 0, at = 0; at < bytes.length; i++, at += PART_SIZE) {
      await putPart({ ownerId, uploadId, index: i, bytes: bytes.subarray(at, at + PART_SIZE) });
    }
    const item = await completeUpload({ ownerId, uploadId });
    const file = await db.collection("fs.files").findOne({ _id: fileId });
    expect(file?.metadata.pending).toBeUndefined();
    expect(file?.length).toBeGreaterThan(bytes.length);
    // Each of the image's blobs has its file document, and every chunk of theirs belongs to one.
    const doc = await db.collection("images").findOne({ _id: item.id } as never);
    for (const ref of Object.values(doc!.blobs) as { fileId: unknown }[]) {
      expect(await db.collection("fs.files").countDocuments({ _id: ref.fileId as never })).toBe(1);
    }
  });

  it("leaves no chunk behind when parts race an abort", async () => {
    const ownerId = owner();
    const bytes = await makePng({ width: 300, height: 300 });
    const db = await getDb();
    const fileIds = [];
    for (let round = 0; round < 8; round++) {
      const { uploadId } = await beginUpload({ ownerId, name: `race-${round}.png`, size: bytes.length });
      fileIds.push((await db.collection("uploads").findOne({ _id: uploadId } as never))!.original.fileId);
      // The abort lands at a different point of the part's work each round.
      await Promise.allSettled([
        putPart({ ownerId, uploadId, index: 0, bytes }),
        new Promise((r) => setTimeout(r, round * 3)).then(() => abortUpload({ ownerId, uploadId })),
      ]);
      await abortUpload({ ownerId, uploadId });
    }
    for (const fileId of fileIds) {
      expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(0);
      expect(await db.collection("fs.files").countDocuments({ _id: fileId })).toBe(0);
    }
  });

  it("keeps the image when the process died between writing its record and removing the upload's", async () => {
    const ownerId = owner();
    const bytes = await makePng({ width: 60, height: 40 });
    const { uploadId } = await beginUpload({ ownerId, name: "survivor.png", size: bytes.length });
    const db = await getDb();
    const leftover = (await db.collection("uploads").findOne({ _id: uploadId } as never))!;
    await putPart({ ownerId, uploadId, index: 0, bytes });
    const item = await completeUpload({ ownerId, uploadId });
    // The upload's record is back, as if its deletion never happened, stuck "completing" for hours.
    await db.collection("uploads").insertOne({ ...leftover, state: "completing", completingAt: new Date(Date.now() - 3 * 3600_000) });
    const swept = await sweepUploads();
    expect(swept.uploads).toBeGreaterThanOrEqual(1);
    expect(await db.collection("uploads").countDocuments({ _id: uploadId } as never)).toBe(0);
    expect((await readAll((await openImageVariant({ ownerId, imageId: item.id, variant: "original" })).read())).equals(bytes)).toBe(true);
  });

  it("aborting removes what was written", async () => {
    const { getUsage } = await import("@/lib/usage");
    const ownerId = owner();
    // Noise: several 64 KiB segments, so "every chunk" means more than one.
    const sharp = (await import("sharp")).default;
    const bytes = await sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer();
    const segments = Math.ceil(bytes.length / SEGMENT_SIZE);
    expect(segments).toBeGreaterThan(1);
    const { uploadId } = await beginUpload({ ownerId, name: "x.png", size: bytes.length });
    await putPart({ ownerId, uploadId, index: 0, bytes });
    const db = await getDb();
    const fileId = (await db.collection("uploads").findOne({ _id: uploadId } as never))!.original.fileId;
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(segments);
    expect(await getUsage({ ownerId })).toEqual({ bytes: bytes.length, count: 1 });

    await abortUpload({ ownerId, uploadId });
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(0);
    expect(await db.collection("fs.files").countDocuments({ _id: fileId })).toBe(0);
    expect(await db.collection("uploads").countDocuments({ _id: uploadId } as never)).toBe(0);
    expect(await getUsage({ ownerId })).toEqual({ bytes: 0, count: 0 });
    await expect(completeUpload({ ownerId, uploadId })).rejects.toMatchObject({ code: "not_found" });
    // Someone else's abort of the same id touches nothing.
    const other = await beginUpload({ ownerId, name: "y.png", size: bytes.length });
    await putPart({ ownerId, uploadId: other.uploadId, index: 0, bytes });
    await abortUpload({ ownerId: owner(), uploadId: other.uploadId });
    const otherFileId = (await db.collection("uploads").findOne({ _id: other.uploadId } as never))!.original.fileId;
    expect(await db.collection("fs.chunks").countDocuments({ files_id: otherFileId })).toBe(segments);
  });

  it("enforces the per-user quota at begin", async () => {
    const { limits } = await import("@/lib/config");
    const ownerId = owner();
    const saved = { ...limits };
    try {
      limits.quotaImages = 1;
      await uploadBytes({ ownerId, name: "one.png", bytes: await makePng({ width: 20, height: 20 }) });
      await expect(beginUpload({ ownerId, name: "two.png", size: 100 })).rejects.toMatchObject({ code: "quota_exceeded" });
      limits.quotaImages = 100;
      limits.quotaBytes = 1000;
      await expect(beginUpload({ ownerId, name: "big.png", size: 5000 })).rejects.toMatchObject({ code: "quota_exceeded" });
    } finally {
      Object.assign(limits, saved);
    }
  });

  it("refuses a non-image from the first bytes sent with begin, before anything is stored", async () => {
    const { getUsage } = await import("@/lib/usage");
    const ownerId = owner();
    const db = await getDb();
    const text = Buffer.from("just some notes, renamed to .jpg\n".repeat(25));
    const bomb = await makeBombPng();
    for (const [name, file, code] of [
      ["notes.jpg", text, "unsupported_type"],
      ["drawing.svg", svgBytes, "unsupported_type"],
      ["page.jpg", htmlBytes, "unsupported_type"],
      ["bomb.png", bomb, "image_too_big"],
    ] as const) {
      await expect(beginUpload({ ownerId, name, size: file.length, head: file.subarray(0, 64 * 1024) })).rejects.toMatchObject({ code });
    }
    expect(await db.collection("uploads").countDocuments({ ownerId })).toBe(0);
    expect(await getUsage({ ownerId })).toEqual({ bytes: 0, count: 0 });
    // A real image's head passes, and the upload goes on as usual.
    const jpeg = await makeJpeg({ width: 1, height: 1 });
    const { uploadId } = await beginUpload({ ownerId, name: "tiny.jpg", size: jpeg.length, head: jpeg });
    await putPart({ ownerId, uploadId, index: 0, bytes: jpeg });
    await expect(completeUpload({ ownerId, uploadId })).resolves.toMatchObject({ name: "tiny.jpg", width: 1, height: 1 });
  });

  it("reserves quota atomically: of 20 parallel begins, exactly the quota's worth succeed", async () => {
    const { limits } = await import("@/lib/config");
    const { getUsage } = await import("@/lib/usage");
    const ownerId = owner();
    const saved = { ...limits };
    try {
      limits.quotaBytes = 5 * 1000;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => beginUpload({ ownerId, name: `p${i}.png`, size: 1000 }).then((r) => r.uploadId, (e) => e.code)),
      );
      const begun = results.filter((r) => r !== "quota_exceeded");
      // Before: each begin checked usage, then inserted, so all 20 got through.
      expect(begun).toHaveLength(5);
      expect(await getUsage({ ownerId })).toEqual({ bytes: 5000, count: 5 });
      // Aborting gives the space back, once, even when aborted twice at the same time.
      await Promise.all([abortUpload({ ownerId, uploadId: begun[0] }), abortUpload({ ownerId, uploadId: begun[0] })]);
      expect(await getUsage({ ownerId })).toEqual({ bytes: 4000, count: 4 });
      await expect(beginUpload({ ownerId, name: "again.png", size: 1000 })).resolves.toBeDefined();
    } finally {
      Object.assign(limits, saved);
    }
  });

  it("gives quota back when an upload fails, expires or its image is deleted, and the sweeper repairs drift", async () => {
    const { getUsage } = await import("@/lib/usage");
    const { deleteImagesForever } = await import("@/lib/images");
    const ownerId = owner();
    const png = await makePng({ width: 24, height: 24 });
    const kept = await uploadBytes({ ownerId, name: "kept.png", bytes: png });
    const gone = await uploadBytes({ ownerId, name: "gone.png", bytes: png });
    expect(await getUsage({ ownerId })).toEqual({ bytes: 2 * png.length, count: 2 });
    // Refused at part 0 (not an image): the reservation is returned.
    const bad = await beginUpload({ ownerId, name: "bad.png", size: 100 });
    await expect(putPart({ ownerId, uploadId: bad.uploadId, index: 0, bytes: randomBytes(100) })).rejects.toMatchObject({ code: "unsupported_type" });
    // Abandoned: swept when it expires.
    const stale = await beginUpload({ ownerId, name: "stale.png", size: png.length });
    const db = await getDb();
    await db.collection("uploads").updateOne({ _id: stale.uploadId } as never, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await sweepUploads();
    await deleteImagesForever({ ownerId, imageIds: [gone.id] });
    expect(await getUsage({ ownerId })).toEqual({ bytes: png.length, count: 1 });
    // A crash between two writes leaves the counter off; the next sweep sets it right.
    await db.collection("owner_usage").updateOne({ _id: ownerId } as never, { $set: { bytes: 999_999, count: 42 } });
    const swept = await sweepUploads();
    expect(swept.counters).toBeGreaterThanOrEqual(1);
    expect(await getUsage({ ownerId })).toEqual({ bytes: png.length, count: 1 });
    // What is counted is exactly the image kept.
    expect((await listImages({ ownerId })).items.map((i) => i.id)).toEqual([kept.id]);
  });

  it("lists only the owner's images, newest first, with a stable cursor", async () => {
    const alice = owner();
    const bob = owner();
    const png = await makePng({ width: 16, height: 16 });
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      names.unshift(`a${i}.png`);
      await uploadBytes({ ownerId: alice, name: `a${i}.png`, bytes: png });
    }
    const bobs = await uploadBytes({ ownerId: bob, name: "bob.png", bytes: png });
    const first = await listImages({ ownerId: alice, limit: 2 });
    const second = await listImages({ ownerId: alice, limit: 2, cursor: first.nextCursor });
    const third = await listImages({ ownerId: alice, limit: 2, cursor: second.nextCursor });
    expect([...first.items, ...second.items, ...third.items].map((i) => i.name)).toEqual(names);
    expect(third.nextCursor).toBeNull();

    await expect(getImage({ ownerId: alice, imageId: bobs.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(openImageVariant({ ownerId: alice, imageId: bobs.id, variant: "original" })).rejects.toMatchObject({ code: "not_found" });
    await expect(getImage({ ownerId: alice, imageId: "../../etc/passwd" })).rejects.toMatchObject({ code: "not_found" });
  });
});
