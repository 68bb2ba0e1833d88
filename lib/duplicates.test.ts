import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { closeAnalysisPool } from "@/lib/analysis-pool";
import { drainAnalysisQueue } from "@/lib/analysis-queue";
import { hammingDistance } from "@/lib/characteristics";
import { getDb } from "@/lib/db";
import { listDuplicateGroups, setSkipDuplicates } from "@/lib/duplicates";
import { countImages } from "@/lib/image-listing";
import { trashImages } from "@/lib/image-selection";
import { makeJpeg } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");
const photo = (name: string) => readFile(path.join(import.meta.dirname, "testing/photos", name));

afterAll(closeAnalysisPool);

describe("exact duplicates", () => {
  it("an identical upload is flagged with the copy already there, and stored anyway by default", async () => {
    const ownerId = owner();
    const bytes = await makeJpeg({ width: 120, height: 80 });
    const first = await uploadBytes({ ownerId, name: "a.jpg", bytes });
    expect(first.duplicateOf).toBeUndefined();
    const second = await uploadBytes({ ownerId, name: "copy of a.jpg", bytes });
    expect(second.duplicateOf).toBe(first.id);
    expect(second.id).not.toBe(first.id);
    expect(await countImages({ ownerId })).toBe(2);
    // Another owner's identical file is no duplicate of theirs.
    expect((await uploadBytes({ ownerId: owner(), name: "a.jpg", bytes })).duplicateOf).toBeUndefined();
    // A copy in the trash does not count.
    const third = owner();
    const t1 = await uploadBytes({ ownerId: third, name: "t.jpg", bytes });
    await trashImages({ ownerId: third, selection: { ids: [t1.id] } });
    expect((await uploadBytes({ ownerId: third, name: "t.jpg", bytes })).duplicateOf).toBeUndefined();
  });

  it("with 'Skip duplicates' on, nothing new is stored and the quota is given back", async () => {
    const ownerId = owner();
    const bytes = await makeJpeg({ width: 100, height: 90 });
    const first = await uploadBytes({ ownerId, name: "b.jpg", bytes });
    await setSkipDuplicates({ ownerId, skip: true });
    const again = await uploadBytes({ ownerId, name: "b again.jpg", bytes });
    expect(again).toMatchObject({ id: first.id, duplicateOf: first.id, skipped: true });
    expect(await countImages({ ownerId })).toBe(1);
    const usage = await (await getDb()).collection<{ _id: string; count: number; bytes: number }>("owner_usage").findOne({ _id: ownerId });
    expect(usage).toMatchObject({ count: 1, bytes: bytes.length });
    // A different file still goes in.
    expect((await uploadBytes({ ownerId, name: "c.jpg", bytes: await makeJpeg({ width: 101, height: 90 }) })).skipped).toBeUndefined();
    expect(await countImages({ ownerId })).toBe(2);
  });

  it("keys the hash: no bare SHA-256 of the file is stored anywhere", async () => {
    const ownerId = owner();
    const bytes = await makeJpeg({ width: 77, height: 55 });
    await uploadBytes({ ownerId, name: "k.jpg", bytes });
    const sha = createHash("sha256").update(bytes).digest();
    const forms = [sha.toString("hex"), sha.toString("base64"), sha.toString("base64url"), sha.subarray(0, 16).toString("base64url")];
    const db = await getDb();
    for (const { name } of await db.listCollections().toArray()) {
      const text = JSON.stringify(await db.collection(name).find({}).toArray());
      for (const f of forms) expect(text).not.toContain(f);
      expect(Buffer.from(text).includes(sha)).toBe(false);
    }
  });
});

describe("near duplicates", () => {
  it("groups resized and recompressed copies of a photo, proposes to keep the largest, and leaves other photos alone", async () => {
    const ownerId = owner();
    const cat = await photo("cat.jpg");
    const small = await sharp(cat).resize(220).jpeg({ quality: 55 }).toBuffer();
    const big = await uploadBytes({ ownerId, name: "cat.jpg", bytes: cat });
    const resized = await uploadBytes({ ownerId, name: "cat-small.jpg", bytes: small });
    await uploadBytes({ ownerId, name: "coffee.jpg", bytes: await photo("coffee.jpg") });
    await uploadBytes({ ownerId, name: "astronaut.jpg", bytes: await photo("astronaut.jpg") });
    await drainAnalysisQueue({ ownerId });
    const groups = await listDuplicateGroups({ ownerId });
    expect(groups).toHaveLength(1);
    expect(groups[0].items.map((i) => i.id).sort()).toEqual([big.id, resized.id].sort());
    expect(groups[0].keep).toBe(big.id);
    expect(await listDuplicateGroups({ ownerId: owner() })).toEqual([]);
  });

  it("Hamming distance of 64-bit hashes", () => {
    expect(hammingDistance("0000000000000000", "0000000000000000")).toBe(0);
    expect(hammingDistance("ffffffffffffffff", "0000000000000000")).toBe(64);
    expect(hammingDistance("8000000000000001", "0000000000000000")).toBe(2);
  });
});
