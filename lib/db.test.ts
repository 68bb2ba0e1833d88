import { describe, expect, it } from "vitest";

import { BULK_WRITE_BATCH, bulkWriteInBatches, getDb } from "@/lib/db";

describe("db", () => {
  it("connects to the real server and ensures indexes idempotently", async () => {
    const db = await getDb();
    expect(db.databaseName).toBe(process.env.MONGODB_DB);
    const names = (await db.collection("users").indexes()).map((i) => i.name);
    expect(names).toContain("usernameLower_unique");
    await expect(db.collection("users").insertOne({ usernameLower: "x" })).resolves.toBeTruthy();
    await expect(db.collection("users").insertOne({ usernameLower: "x" })).rejects.toMatchObject({ code: 11000 });
  });

  it("returns the same database for concurrent callers", async () => {
    const [a, b] = await Promise.all([getDb(), getDb()]);
    expect(a).toBe(b);
  });

  it("writes a bulk of any length: 120 updates, upserts and deletes, where one FerretDB command of 50 updates never answers", async () => {
    const coll = (await getDb()).collection<{ _id: string; n: number; seen?: boolean }>("bulk_batches");
    const count = BULK_WRITE_BATCH * 3 + 24;
    await coll.insertMany(Array.from({ length: count }, (_, i) => ({ _id: `d${i}`, n: i })));
    const updated = await bulkWriteInBatches(
      coll,
      Array.from({ length: count }, (_, i) => ({ updateOne: { filter: { _id: `d${i}` }, update: { $set: { seen: true, n: i * 2 } } } })),
    );
    expect(updated.modifiedCount).toBe(count);
    expect(await coll.countDocuments({ seen: true })).toBe(count);
    const upserted = await bulkWriteInBatches(
      coll,
      Array.from({ length: count }, (_, i) => ({ updateOne: { filter: { _id: `u${i}` }, update: { $setOnInsert: { n: i } }, upsert: true } })),
    );
    expect(upserted.upsertedCount).toBe(count);
    const deleted = await bulkWriteInBatches(coll, Array.from({ length: count * 2 }, (_, i) => ({ deleteOne: { filter: { _id: i < count ? `d${i}` : `u${i - count}` } } })));
    expect(deleted.deletedCount).toBe(count * 2);
    expect(await coll.countDocuments({})).toBe(0);
  });
});
