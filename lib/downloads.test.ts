import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createDownloadToken, openZipDownload } from "@/lib/downloads";
import { countImages, listImages } from "@/lib/image-listing";
import { getImage } from "@/lib/images";
import { purgeExpiredTrash, resolveSelection, restoreImages, trashImages, deleteTrashedForever } from "@/lib/image-selection";
import { makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function collect(gen: AsyncGenerator<Buffer>) {
  const parts: Buffer[] = [];
  for await (const p of gen) parts.push(p);
  return Buffer.concat(parts);
}

/** Lists a zip's entries with their SHA-256, using Python's zipfile as an independent reader. */
function readZip(buf: Buffer): Record<string, string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zip-")), "a.zip");
  fs.writeFileSync(file, buf);
  const out = execFileSync("python3", [
    "-c",
    "import sys,zipfile,hashlib,json;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(json.dumps({i.filename:hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))",
    file,
  ]);
  fs.rmSync(path.dirname(file), { recursive: true });
  return JSON.parse(out.toString());
}

describe("zip downloads", () => {
  it("zips exactly the owner's selection with sanitised, de-duplicated names and the promised length", async () => {
    const alice = owner();
    const bob = owner();
    const a1 = await makePng({ width: 30, height: 30, colors: ["#ff0000"] });
    const a2 = await makePng({ width: 31, height: 30, colors: ["#00ff00"] });
    const a3 = await makePng({ width: 32, height: 30, colors: ["#0000ff"] });
    const i1 = await uploadBytes({ ownerId: alice, name: "photo.png", bytes: a1 });
    const i2 = await uploadBytes({ ownerId: alice, name: "photo.png", bytes: a2 });
    const i3 = await uploadBytes({ ownerId: alice, name: "../../etc/évil\u0007.png", bytes: a3 });
    const foreign = await uploadBytes({ ownerId: bob, name: "bob-secret.png", bytes: a1 });

    const { token, count } = await createDownloadToken({ ownerId: alice, selection: { ids: [i1.id, i2.id, i3.id, foreign.id] } });
    expect(count).toBe(3);
    // Someone else holding the link gets nothing.
    await expect(openZipDownload({ ownerId: bob, token })).rejects.toMatchObject({ code: "not_found" });

    const zip = await openZipDownload({ ownerId: alice, token });
    const bytes = await collect(zip.body);
    expect(bytes.length).toBe(zip.contentLength);
    const entries = readZip(bytes);
    expect(Object.keys(entries).sort()).toEqual(["photo (1).png", "photo.png", "évil.png"].sort());
    expect(Object.values(entries).sort()).toEqual([sha(a1), sha(a2), sha(a3)].sort());
    expect(JSON.stringify(entries)).not.toContain("bob-secret");
  });

  it("'all' is resolved on the server from every image the owner has", async () => {
    const ownerId = owner();
    const png = await makePng({ width: 10, height: 10 });
    for (let i = 0; i < 3; i++) await uploadBytes({ ownerId, name: `n${i}.png`, bytes: png });
    await uploadBytes({ ownerId: owner(), name: "other.png", bytes: png });
    expect(await resolveSelection({ ownerId, selection: { all: true } })).toHaveLength(3);
    const { count } = await createDownloadToken({ ownerId, selection: { all: true } });
    expect(count).toBe(3);
  });

  it("aborts the zip, rather than leaving an image out, when one is deleted mid-way", async () => {
    const ownerId = owner();
    // Noise, so each original spans several 64 KiB pieces and the stream is caught mid-way.
    const sharp = (await import("sharp")).default;
    const noisy = () => sharp(randomBytes(300 * 300 * 3), { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer();
    const a = await uploadBytes({ ownerId, name: "a.png", bytes: await noisy() });
    const b = await uploadBytes({ ownerId, name: "b.png", bytes: await noisy() });
    const { token } = await createDownloadToken({ ownerId, selection: { ids: [a.id, b.id] } });
    const zip = await openZipDownload({ ownerId, token });
    const streamed: Buffer[] = [];
    const first = await zip.body.next();
    expect(first.done).toBe(false);
    streamed.push(first.value as Buffer);
    // b's turn has not come yet (a is being sent): it is opened after it is gone.
    await trashImages({ ownerId, selection: { ids: [b.id] } });
    expect((await deleteTrashedForever({ ownerId, selection: { ids: [b.id] } })).done).toBe(1);
    let failure: unknown = null;
    try {
      for await (const piece of zip.body) streamed.push(piece);
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe("not_found");
    // What did go out is not a complete archive: shorter than promised, and no end-of-central-directory record.
    const sent = Buffer.concat(streamed);
    expect(sent.length).toBeLessThan(zip.contentLength);
    expect(sent.includes(Buffer.from("PK\x05\x06", "latin1"))).toBe(false);
  });
});

describe("trash", () => {
  it("moves to trash, restores, deletes forever only from the trash, and ignores foreign ids", async () => {
    const ownerId = owner();
    const stranger = owner();
    const png = await makePng({ width: 10, height: 10 });
    const a = await uploadBytes({ ownerId, name: "a.png", bytes: png });
    const b = await uploadBytes({ ownerId, name: "b.png", bytes: png });
    const db = await getDb();
    const blobIds = (await db.collection("images").find({ _id: { $in: [a.id, b.id] } } as never).toArray()).flatMap((doc) =>
      Object.values(doc.blobs as Record<string, { fileId: unknown }>).map((blob) => blob.fileId),
    );
    expect(blobIds).toHaveLength(6);

    expect((await trashImages({ ownerId: stranger, selection: { ids: [a.id] } })).done).toBe(0);
    // Not in the trash: nothing named can be deleted forever, which is a 404 like a missing image.
    await expect(deleteTrashedForever({ ownerId, selection: { ids: [a.id] } })).rejects.toMatchObject({ code: "not_found" });
    expect((await trashImages({ ownerId, selection: { ids: [a.id, a.id] } })).done).toBe(1);
    expect((await trashImages({ ownerId, selection: { ids: [a.id] } })).done).toBe(0);
    expect((await listImages({ ownerId })).items.map((i) => i.name)).toEqual(["b.png"]);
    expect((await listImages({ ownerId, trashed: true })).items.map((i) => i.name)).toEqual(["a.png"]);

    expect((await restoreImages({ ownerId: stranger, selection: { all: true } })).done).toBe(0);
    expect((await restoreImages({ ownerId, selection: { ids: [a.id] } })).done).toBe(1);
    expect(await countImages({ ownerId })).toBe(2);

    await trashImages({ ownerId, selection: { all: true } });
    expect(await countImages({ ownerId, trashed: true })).toBe(2);
    expect((await deleteTrashedForever({ ownerId, selection: { all: true } })).done).toBe(2);
    expect(await countImages({ ownerId, trashed: true })).toBe(0);
    expect(await countImages({ ownerId })).toBe(0);
    for (const id of [a.id, b.id]) await expect(getImage({ ownerId, imageId: id })).rejects.toMatchObject({ code: "not_found" });
    expect(await db.collection("fs.files").countDocuments({ _id: { $in: blobIds } } as never)).toBe(0);
    expect(await db.collection("fs.chunks").countDocuments({ files_id: { $in: blobIds } })).toBe(0);
  });

  it("the purge job removes only images trashed longer ago than the retention period", async () => {
    const ownerId = owner();
    const png = await makePng({ width: 10, height: 10 });
    const old = await uploadBytes({ ownerId, name: "old.png", bytes: png });
    const recent = await uploadBytes({ ownerId, name: "recent.png", bytes: png });
    await trashImages({ ownerId, selection: { ids: [old.id, recent.id] } });
    const db = await getDb();
    await db.collection("images").updateOne({ _id: old.id } as never, { $set: { trashedAt: new Date(Date.now() - 31 * 86_400_000) } });
    expect(await purgeExpiredTrash({ olderThanDays: 30 })).toBe(1);
    expect((await listImages({ ownerId, trashed: true })).items.map((i) => i.name)).toEqual(["recent.png"]);
  });
});
