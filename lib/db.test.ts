import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";

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
});
