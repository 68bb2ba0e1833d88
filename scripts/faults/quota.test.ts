// Fault 6: a full quota, and a full disk at the moment of "complete". A clear
// per-file error, nothing half-stored, and the space given back.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { ERROR_CODES } from "@/lib/errors";

import { CLEAN, Client, checkInvariants, createAccount, embeddedDb, noiseImage, ownDatabase, sweepNow, sleep, startApp, stopAllApps } from "./harness";

const dbName = ownDatabase("quota");
const CRON_SECRET = randomBytes(16).toString("hex");
const MiB = 1024 * 1024;

let client: Client;
let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  // A 3 MiB quota, and uploads that expire after 15 s so the sweeper can be watched.
  app = await startApp({ env: { MONGODB_DB: dbName, CRON_SECRET, QUOTA_BYTES: String(3 * MiB), UPLOAD_TTL_HOURS: String(15 / 3600) } });
  const account = await createAccount("quota");
  client = await Client.signIn(app, account.username, account.password);
});

afterAll(async () => {
  await stopAllApps();
  await (await getDb()).dropDatabase().catch(() => {});
  const { closeDb } = await import("@/lib/db");
  await closeDb();
});

/** PostgreSQL refuses every write, as a full disk (or a DBA protecting one) makes it. */
function databaseReadOnly(on: boolean) {
  const sql = [`ALTER SYSTEM SET default_transaction_read_only = ${on ? "on" : "off"}`, "SELECT pg_reload_conf()"];
  const r = spawnSync("psql", [process.env.EMBEDDED_PG_URL!, "-v", "ON_ERROR_STOP=1", ...sql.flatMap((c) => ["-c", c])], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
}

describe("fault 6: a full quota, or a full disk at complete", () => {
  it("refuses a file over the quota with a clear message and stores nothing of it", async () => {
    const db = await getDb();
    const small = await noiseImage(1, "small");
    await client.upload("small.jpg", small);
    const big = await noiseImage(4);
    const chunksBefore = await db.collection("fs.chunks").countDocuments();
    const refused = await client.action("beginUploadAction", { name: "big.jpg", size: big.length, head: big.subarray(0, 4096).toString("base64") });
    expect(refused).toMatchObject({ status: "error", code: "quota_exceeded" });
    expect((refused as { message: string }).message).toMatch(/quota/i);
    expect(await db.collection("uploads").countDocuments()).toBe(0);
    expect(await db.collection("fs.chunks").countDocuments()).toBe(chunksBefore);
  });

  it.skipIf(!embeddedDb())("answers a full disk at complete with a clear error, and the sweeper leaves nothing half-stored", async () => {
    const db = await getDb();
    const file = await noiseImage(1, "disk-full");
    const imagesBefore = await db.collection("images").countDocuments();
    const begun = await client.begin("disk-full.jpg", file);
    for (let i = 0; i < begun.partCount; i++) expect((await client.putPart(begun.uploadId, i, client.partBytes(file, begun.partSize, i))).status).toBe(204);

    databaseReadOnly(true);
    let completed;
    try {
      completed = await client.action("completeUploadAction", { uploadId: begun.uploadId });
    } finally {
      databaseReadOnly(false);
    }
    expect(completed).toMatchObject({ status: "error", code: "storage_full", message: ERROR_CODES.storage_full });
    expect(await db.collection("images").countDocuments()).toBe(imagesBefore);

    // Once the upload's time is up the sweeper removes what was written and gives the quota back.
    const upload = await db.collection("uploads").findOne({ _id: begun.uploadId as never });
    if (upload) await sleep(Math.max(0, upload.expiresAt.getTime() - Date.now()) + 1000);
    expect(await sweepNow(app, CRON_SECRET)).toMatchObject({ ran: true, failed: [] });
    expect(await checkInvariants(db)).toEqual(CLEAN);
    expect(await db.collection("images").countDocuments()).toBe(imagesBefore);
    // The space is back: the same file now goes in whole.
    await client.upload("disk-full.jpg", file);
    expect(await db.collection("images").countDocuments()).toBe(imagesBefore + 1);
  });
});
