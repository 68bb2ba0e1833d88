// Two `next start` servers on one database, as behind a load balancer: a session
// from one works on the other, one upload's parts alternate between them, a trash on
// one shows on the other, and their sweepers take turns (one lease in the database)
// without ever touching a live upload.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { packIds } from "@/lib/selection-wire";

import { type App, CLEAN, Client, checkInvariants, createAccount, noiseImage, ownDatabase, readAll, runCron, sha256, startApp, stopAllApps } from "./harness";

const dbName = ownDatabase("instances");
const CRON_SECRET = randomBytes(16).toString("hex");

let a: App;
let b: App;
let onA: Client;
let onB: Client;

beforeAll(async () => {
  // Housekeeping every second on both: their timers contend for the lease all the time.
  const env = { MONGODB_DB: dbName, CRON_SECRET, HOUSEKEEPING_SECONDS: "1" };
  [a, b] = await Promise.all([startApp({ env }), startApp({ env })]);
  const account = await createAccount("twin");
  onA = await Client.signIn(a, account.username, account.password);
  onB = onA.on(b);
});

afterAll(async () => {
  await stopAllApps();
  await (await getDb()).dropDatabase().catch(() => {});
  const { closeDb } = await import("@/lib/db");
  await closeDb();
});

type Page = { items: { id: string }[] };
const ids = async (client: Client, trash = false) => ((await (await client.get(`/api/images${trash ? "?trash=1" : ""}`)).json()) as Page).items.map((i) => i.id);

describe("two instances, one database", () => {
  it("a session from A works on B", async () => {
    const session = (await (await onB.get("/api/auth/session")).json()) as { user?: { username?: string } };
    expect(session.user?.username).toMatch(/^twin_/);
    expect((await onB.get("/api/images")).status).toBe(200);
  });

  it("one upload's parts alternate between A and B, with both sweepers running, and it completes byte-exact", async () => {
    const file = await noiseImage(24, "twin");
    const begun = await onA.begin("twin.jpg", file);
    const cronRuns: Promise<{ body: Record<string, unknown> }>[] = [];
    for (let i = 0; i < begun.partCount; i++) {
      const via = i % 2 === 0 ? onA : onB;
      // Between parts, both instances are asked to sweep at once, several times.
      for (const app of [a, b, a, b]) cronRuns.push(runCron(app, CRON_SECRET));
      const r = await via.putPart(begun.uploadId, i, via.partBytes(file, begun.partSize, i));
      expect(r.status, r.body).toBe(204);
    }
    const item = await onB.ok<{ id: string }>("completeUploadAction", { uploadId: begun.uploadId });
    const runs = (await Promise.all(cronRuns)).map((r) => r.body);
    const ran = runs.filter((r) => r.ran === true).length;
    console.log(`[instances] ${runs.length} sweep requests during the upload: ${ran} ran, ${runs.length - ran} found the lease taken`);
    // The lease let some through and turned the overlapping ones away; none removed the live upload.
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(runs.length);
    for (const r of runs) if (r.ran) expect(r.uploads).toBe(0);

    for (const via of [onA, onB]) {
      const res = await via.get(`/api/images/${item.id}/original`);
      expect(res.status).toBe(200);
      expect((await readAll(res)).sha256).toBe(sha256(file));
    }
    expect(await checkInvariants(await getDb())).toEqual(CLEAN);
  });

  it("a trash on A shows on B after a reload, and a restore on B shows on A", async () => {
    const { id } = await onB.upload("trash-me.jpg", await noiseImage(1, "trash-me"));
    expect(await ids(onA)).toContain(id);
    expect((await onA.action("trashImagesAction", { selection: { ids: packIds([id]) } })).status).toBe("success");
    expect(await ids(onB)).not.toContain(id);
    expect(await ids(onB, true)).toContain(id);
    expect((await onB.action("restoreImagesAction", { selection: { ids: packIds([id]) } })).status).toBe("success");
    expect(await ids(onA)).toContain(id);
    expect(await ids(onA, true)).not.toContain(id);
  });
});
