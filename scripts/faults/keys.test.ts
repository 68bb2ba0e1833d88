// Fault 5: a wrong IMAGE_KEYS at start, and a key missing from the list.
import { randomBytes } from "node:crypto";

import { afterAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { MISSING_KEY_MESSAGE } from "@/lib/keys";
import { makePng } from "@/lib/testing/fixtures";

import { Client, createAccount, ownDatabase, readAll, sha256, startApp, stopAllApps, waitFor } from "./harness";

const dbName = ownDatabase("keys");
const K1 = randomBytes(32).toString("base64");
const K2 = randomBytes(32).toString("base64");
// This process's own lib calls (creating accounts) run under the first key, like the first server.
process.env.IMAGE_KEYS = `k1:${K1}`;

afterAll(async () => {
  await stopAllApps();
  await (await getDb()).dropDatabase().catch(() => {});
  const { closeDb } = await import("@/lib/db");
  await closeDb();
});

const serve = (keys: string) => startApp({ env: { MONGODB_DB: dbName, IMAGE_KEYS: keys } });

describe("fault 5: wrong or missing IMAGE_KEYS", () => {
  it("refuses to start with a wrong key and names it; with a key missing, only its images fail, with a clear 500 and log line", async () => {
    // Alice's images are under k1; Bob's (after k2 became primary) under k2.
    const alice = await createAccount("alice");
    const bob = await createAccount("bob");
    const alicePng = await makePng({ width: 40, height: 30 });
    const bobPng = await makePng({ width: 30, height: 40 });

    let app = await serve(`k1:${K1}`);
    const a = await (await Client.signIn(app, alice.username, alice.password)).upload("alice.png", alicePng);
    await app.kill();

    app = await serve(`k2:${K2},k1:${K1}`);
    const b = await (await Client.signIn(app, bob.username, bob.password)).upload("bob.png", bobPng);
    await app.kill();

    // k1 present but with other bytes: the server refuses to start and names the key id, not the key.
    const wrong = randomBytes(32).toString("base64");
    const refused = await startApp({ env: { MONGODB_DB: dbName, IMAGE_KEYS: `k2:${K2},k1:${wrong}` }, waitReady: false });
    const code = await Promise.race([refused.exited, new Promise<"running">((r) => setTimeout(() => r("running"), 90_000))]);
    expect(code).not.toBe("running");
    expect(code).not.toBe(0);
    expect(refused.output()).toContain("IMAGE_KEYS key 'k1' does not match the key that encrypted this database");
    expect(refused.output()).not.toContain(wrong);

    // k1 missing: the server starts (and says so), Bob's images work, Alice's answer a clear 500.
    const db = await getDb();
    const before = await db.collection("images").find({}).sort({ _id: 1 }).toArray();
    app = await serve(`k2:${K2}`);
    const bobClient = await Client.signIn(app, bob.username, bob.password);
    const bobRes = await bobClient.get(`/api/images/${b.id}/original`);
    expect(bobRes.status).toBe(200);
    expect((await readAll(bobRes)).sha256).toBe(sha256(bobPng));

    const aliceClient = await Client.signIn(app, alice.username, alice.password);
    const aliceRes = await aliceClient.get(`/api/images/${a.id}/original`);
    expect(aliceRes.status).toBe(500);
    expect(await aliceRes.json()).toEqual({ code: "integrity", message: MISSING_KEY_MESSAGE });
    await waitFor("the log line", () => app.output().includes("key k1 not configured"), 10_000);
    expect(app.output()).toContain("which IMAGE_KEYS does not configure");
    // Bob still works after Alice's failure; nothing was rewritten.
    expect((await bobClient.get(`/api/images/${b.id}/thumb`)).status).toBe(200);
    expect(await db.collection("images").find({}).sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
