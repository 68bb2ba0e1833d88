// Faults 1 and 2: the database stops (then dies) in the middle of a 100 MB upload,
// and a browser closes at 30% of one. Nothing may be lost, nothing may be left over.
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";

import {
  type App,
  CLEAN,
  Client,
  Ferret,
  checkInvariants,
  createAccount,
  embeddedDb,
  envMib,
  noiseImage,
  readAll,
  sweepNow,
  sha256,
  sleep,
  startApp,
  stopAllApps,
  ownDatabase,
} from "./harness";

const dbName = ownDatabase("uploads");
const CRON_SECRET = randomBytes(16).toString("hex");
// The 100 MB (95 MiB, under the 100 MiB upload limit); FAULTS_UPLOAD_MIB scales it for a slow CI.
const UPLOAD_MIB = envMib("FAULTS_UPLOAD_MIB", 95);
/** A part request may take this long to fail while the database hangs: the driver's socket timeout (20 s) and a margin. */
const FAIL_WITHIN_MS = 30_000;

let account: { username: string; password: string };
let image: Buffer;

beforeAll(async () => {
  account = await createAccount("outage");
  image = await noiseImage(UPLOAD_MIB);
});

async function serve(env: Record<string, string> = {}): Promise<{ app: App; client: Client }> {
  const app = await startApp({ env: { MONGODB_DB: dbName, CRON_SECRET, ...env } });
  return { app, client: await Client.signIn(app, account.username, account.password) };
}

afterAll(async () => {
  await stopAllApps();
  await (await getDb()).dropDatabase().catch(() => {});
  const { closeDb } = await import("@/lib/db");
  await closeDb();
});

describe.skipIf(!embeddedDb())("fault 1: the database stops at 50% of a 100 MB upload", () => {
  it("fails parts quickly and clearly, keeps the server up, resumes when the database is back, and leaves nothing behind", async () => {
    const ferret = Ferret.find();
    const { app, client } = await serve();
    const begun = await client.begin("big.jpg", image);
    const half = Math.floor(begun.partCount / 2);
    for (let i = 0; i < half; i++) {
      const r = await client.putPart(begun.uploadId, i, client.partBytes(image, begun.partSize, i));
      expect(r.status, r.body).toBe(204);
    }

    // A hung database (SIGSTOP): the part fails within a bounded time with a typed, readable answer.
    ferret.pause();
    let hung;
    try {
      hung = await client.putPart(begun.uploadId, half, client.partBytes(image, begun.partSize, half));
    } finally {
      ferret.resume();
    }
    // (resumed only to be killed: a stopped process does not die of SIGKILL before it is continued on some kernels)
    await ferret.kill();
    expect(hung.status).toBe(503);
    expect(hung.ms).toBeLessThan(FAIL_WITHIN_MS);
    expect(JSON.parse(hung.body)).toEqual({ code: "unavailable", message: "Storage is unavailable. Please try again in a moment." });

    // A dead database (SIGKILL): fails faster still (server selection, 5 s), and so do reads.
    const dead = await client.putPart(begun.uploadId, half, client.partBytes(image, begun.partSize, half));
    expect(dead.status).toBe(503);
    expect(dead.ms).toBeLessThan(FAIL_WITHIN_MS);
    const listing = await client.get("/api/images");
    expect(listing.status).toBe(503);
    expect(((await listing.json()) as { code: string }).code).toBe("unavailable");
    expect(app.alive()).toBe(true);

    await ferret.restart();
    // The browser's uploader retries a 503 with backoff: the same part, until the database answers.
    let resumed;
    for (let attempt = 0; attempt < 30; attempt++) {
      resumed = await client.putPart(begun.uploadId, half, client.partBytes(image, begun.partSize, half));
      if (resumed.status === 204) break;
      await sleep(1000);
    }
    expect(resumed?.status, resumed?.body).toBe(204);
    for (let i = half + 1; i < begun.partCount; i++) {
      const r = await client.putPart(begun.uploadId, i, client.partBytes(image, begun.partSize, i));
      expect(r.status, r.body).toBe(204);
    }
    const item = await client.ok<{ id: string }>("completeUploadAction", { uploadId: begun.uploadId });
    const original = await client.get(`/api/images/${item.id}/original`);
    expect(original.status).toBe(200);
    expect((await readAll(original)).sha256).toBe(sha256(image));
    expect(app.alive()).toBe(true);

    await sweepNow(app, CRON_SECRET);
    expect(await checkInvariants(await getDb())).toEqual(CLEAN);
  });
});

describe("fault 2: the browser closes at 30% of an upload", () => {
  it("keeps the upload while it is live, and the sweeper removes everything written once UPLOAD_TTL_HOURS has passed", async () => {
    // Uploads live 20 s on this server, so that the abandoned one expires during the test.
    const { app, client } = await serve({ UPLOAD_TTL_HOURS: String(20 / 3600) });
    const db = await getDb();
    const begun = await client.begin("abandoned.jpg", image);
    const upload = await db.collection("uploads").findOne({ _id: begun.uploadId as never });
    const fileId = upload!.original.fileId;
    const sent = Math.ceil(begun.partCount * 0.3);
    for (let i = 0; i < sent; i++) {
      const r = await client.putPart(begun.uploadId, i, client.partBytes(image, begun.partSize, i));
      expect(r.status, r.body).toBe(204);
    }
    // The browser is gone. While the upload is live, a sweep keeps every byte of it.
    await sweepNow(app, CRON_SECRET);
    expect(await db.collection("uploads").countDocuments({ _id: begun.uploadId as never })).toBe(1);
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBeGreaterThan(0);

    const expiresAt: Date = upload!.expiresAt;
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 1000);
    const swept = await sweepNow(app, CRON_SECRET);
    expect(swept).toMatchObject({ ran: true, failed: [] });
    expect(swept.uploads).toBeGreaterThanOrEqual(1);
    expect(await db.collection("uploads").countDocuments({ _id: begun.uploadId as never })).toBe(0);
    expect(await db.collection("fs.chunks").countDocuments({ files_id: fileId })).toBe(0);
    expect(await checkInvariants(db)).toEqual(CLEAN);
    // The quota it held is given back: the same file fits again at once.
    const again = await client.begin("again.jpg", image);
    expect(again.uploadId).toBeTruthy();
  });
});
