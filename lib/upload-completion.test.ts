import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { listImages } from "@/lib/image-listing";
import { getImageDetails, openImageVariant } from "@/lib/images";
import { bigNoiseJpeg, makeGif, makeJpeg, readAll } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";
import { completeUpload } from "@/lib/upload-completion";
import { PART_SIZE, beginUpload, putPart } from "@/lib/uploads";

const owner = () => randomBytes(12).toString("hex");

async function rawDump(): Promise<Buffer> {
  const db = await getDb();
  const parts: Buffer[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      const { BSON } = await import("mongodb");
      parts.push(Buffer.from(BSON.serialize(doc)));
    }
  }
  return Buffer.concat(parts);
}

describe("completing uploads", () => {
  it("stores an image encrypted and reads back the exact bytes, variants and metadata", async () => {
    const ownerId = owner();
    const bytes = await makeJpeg({
      width: 640,
      height: 480,
      exif: { Make: "SecretCam", Model: "Model-XYZZY", DateTimeOriginal: "2023:04:05 06:07:08", gps: { latitude: 51.5, longitude: -0.12 } },
    });
    const item = await uploadBytes({ ownerId, name: "holiday-private-name.jpg", bytes });
    expect(item).toMatchObject({ name: "holiday-private-name.jpg", size: bytes.length, mime: "image/jpeg", width: 640, height: 480 });

    const original = await openImageVariant({ ownerId, imageId: item.id, variant: "original" });
    expect((await readAll(original.read())).equals(bytes)).toBe(true);
    const thumb = await readAll((await openImageVariant({ ownerId, imageId: item.id, variant: "thumb" })).read());
    expect(thumb.subarray(8, 12).toString()).toBe("WEBP");

    const details = await getImageDetails({ ownerId, imageId: item.id });
    expect(details).toMatchObject({ camera: "SecretCam Model-XYZZY", hasLocation: true });
    expect(details.takenAt).toContain("2023-04-05");

    // A raw dump of every collection shows neither content, nor name, nor EXIF.
    const dump = await rawDump();
    expect(dump.includes(bytes.subarray(1000, 1064))).toBe(false);
    expect(dump.includes(Buffer.from("holiday-private-name"))).toBe(false);
    expect(dump.includes(Buffer.from("SecretCam"))).toBe(false);
    expect(dump.includes(Buffer.from("Model-XYZZY"))).toBe(false);
    expect(dump.includes(thumb.subarray(100, 164))).toBe(false);
  });

  it("refuses completing with a missing part and leaves nothing behind", async () => {
    const ownerId = owner();
    const bytes = await bigNoiseJpeg();
    const { uploadId } = await beginUpload({ ownerId, name: "partial.jpg", size: bytes.length });
    await putPart({ ownerId, uploadId, index: 0, bytes: bytes.subarray(0, PART_SIZE) });
    await expect(completeUpload({ ownerId, uploadId })).rejects.toMatchObject({ code: "upload_incomplete" });
    const db = await getDb();
    expect(await db.collection("uploads").countDocuments({ _id: uploadId } as never)).toBe(0);
    expect((await listImages({ ownerId })).items).toHaveLength(0);
  });

  it("keeps GIF animation and other formats", async () => {
    const ownerId = owner();
    const gif = await makeGif({ frames: 3 });
    const item = await uploadBytes({ ownerId, name: "anim.gif", bytes: gif });
    expect(item.mime).toBe("image/gif");
    const back = await readAll((await openImageVariant({ ownerId, imageId: item.id, variant: "original" })).read());
    expect(back.equals(gif)).toBe(true);
  });
});
