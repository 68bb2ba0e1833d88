// Faults 3 and 4: the server dies in the middle of a 500 MB zip, and an image is
// deleted forever while 20 downloads of it are running. A download is either
// complete and byte-exact or visibly failed; never a short file that looks complete.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { rebuildLibrary } from "@/lib/image-listing";
import { packIds } from "@/lib/selection-wire";

import { makeTemplate, insertCopies } from "../bench/fill";
import { type App, Client, createAccount, envMib, noiseImage, readAll, sha256, sleep, startApp, stopAllApps, ownDatabase, prepareDatabase } from "./harness";

const dbName = ownDatabase("downloads");
const ZIP_MIB = envMib("FAULTS_ZIP_MIB", 500);
const DELETE_MIB = envMib("FAULTS_DELETE_MIB", 16);

let account: { username: string; password: string; id: string };

beforeAll(async () => {
  await prepareDatabase();
  account = await createAccount("zipper");
});

afterAll(async () => {
  await stopAllApps();
  await (await getDb()).dropDatabase().catch(() => {});
  const { closeDb } = await import("@/lib/db");
  await closeDb();
});

/** What a download must not change: every record and blob, counted and fingerprinted. */
async function serverState() {
  const db = await getDb();
  const images = await db.collection("images").find({}).sort({ _id: 1 }).toArray();
  return {
    images: sha256(Buffer.from(JSON.stringify(images))),
    // Blob documents with their lengths; counting fs.chunks would read every chunk's bytes on FerretDB.
    files: sha256(Buffer.from(JSON.stringify(await db.collection("fs.files").find({}, { projection: { _id: 1, length: 1 } }).sort({ _id: 1 }).toArray()))),
    uploads: await db.collection("uploads").countDocuments(),
  };
}

describe("fault 3: the app restarts in the middle of a 500 MB zip download", () => {
  it("the client sees a failed download, the server is unchanged, and a second download succeeds", async () => {
    // The originals go straight into the database (as the bench fills it): that many uploads' worth of zip.
    // Copies of one noise JPEG under the 100 MiB upload limit, ~90 MiB each.
    const count = Math.ceil(ZIP_MIB / 90);
    const template = await makeTemplate({ bytes: await noiseImage(ZIP_MIB / count), mime: "image/jpeg" });
    const ids = await insertCopies({ ownerId: account.id, template, count, namePrefix: "zip" });
    await rebuildLibrary({ ownerId: account.id });
    const before = await serverState();

    let app: App = await startApp({ env: { MONGODB_DB: dbName } });
    let client = await Client.signIn(app, account.username, account.password);
    const { url } = await client.ok<{ url: string }>("createZipDownloadAction", { selection: { ids: packIds(ids) } });

    const rssMib = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${app.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
    const rssBefore = rssMib();
    const res = await client.get(url);
    expect(res.status).toBe(200);
    const announced = Number(res.headers.get("content-length"));
    expect(announced).toBeGreaterThanOrEqual(count * template.original.length);
    let received = 0;
    const reader = res.body!.getReader();
    // Settled into a value at once: the body fails while the test is still awaiting the kill, and a
    // rejection nobody has attached to yet is reported by Vitest as an unhandled error.
    const read: Promise<"complete" | Error> = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "complete" as const;
        received += value.length;
      }
    })().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    while (received < announced * 0.4) await sleep(20);
    // It streams: 40 % in, the server has grown by far less than what it sent. A fixed 48 MiB covers a
    // fresh server's first-request warm-up (compiling the route, pools), which dominates at CI's 96 MiB;
    // a zip held in memory would still grow by the whole 40 % sent and more.
    const grown = rssMib() - rssBefore;
    console.log(`[fault 3] zip ${(announced / 2 ** 20).toFixed(0)} MiB; server RSS grew ${grown.toFixed(0)} MiB by 40 %`);
    expect(grown * 2 ** 20).toBeLessThan(48 * 2 ** 20 + announced * 0.1);
    await app.kill("SIGKILL");
    // The body errors (the connection ended before Content-Length bytes): never "complete".
    expect(await read).toBeInstanceOf(Error);
    expect(received).toBeLessThan(announced);
    expect(await serverState()).toEqual(before);

    // The restarted server serves the same link whole, and the archive checks out.
    app = await startApp({ env: { MONGODB_DB: dbName } });
    client = client.on(app);
    const again = await client.get(url);
    expect(again.status).toBe(200);
    const file = path.join(os.tmpdir(), `faults-zip-${process.pid}.zip`);
    const out = fs.createWriteStream(file);
    let total = 0;
    const r2 = again.body!.getReader();
    for (;;) {
      const { done, value } = await r2.read();
      if (done) break;
      total += value.length;
      if (!out.write(value)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    try {
      expect(total).toBe(Number(again.headers.get("content-length")));
      const test = spawnSync("unzip", ["-tqq", file], { encoding: "utf8" });
      expect(test.status, test.stdout + test.stderr).toBe(0);
    } finally {
      fs.rmSync(file, { force: true });
    }
    expect(await serverState()).toEqual(before);
    await app.kill();
  });
});

describe("fault 4: delete forever during 20 downloads", () => {
  it("each download is byte-exact or fails; none answers 200 with wrong bytes; the image is then gone", async () => {
    const app = await startApp({ env: { MONGODB_DB: dbName } });
    const client = await Client.signIn(app, account.username, account.password);
    const bytes = await noiseImage(DELETE_MIB, "delete-me");
    const { id } = await client.upload("delete-me.jpg", bytes);
    const expected = sha256(bytes);

    const downloads = Array.from({ length: 20 }, async (_, i) => {
      await sleep(i * 15);
      try {
        const res = await client.get(`/api/images/${id}/original`);
        if (res.status !== 200) return { outcome: "refused" as const, status: res.status };
        const body = await readAll(res);
        const length = Number(res.headers.get("content-length") || body.bytes.length);
        return { outcome: body.sha256 === expected && body.bytes.length === length ? ("exact" as const) : ("wrong" as const), status: 200 };
      } catch {
        return { outcome: "failed" as const, status: 200 };
      }
    });
    await sleep(100);
    const selection = { ids: packIds([id]) };
    expect((await client.action("trashImagesAction", { selection })).status).toBe("success");
    const deleted = await client.action<{ done: number }>("deleteForeverAction", { selection });
    const outcomes = await Promise.all(downloads);
    console.log("[fault 4] outcomes:", JSON.stringify(outcomes.reduce<Record<string, number>>((m, o) => ({ ...m, [o.outcome]: (m[o.outcome] ?? 0) + 1 }), {})));
    // The property that matters: no download is 200 with wrong bytes.
    expect(outcomes.filter((o) => o.outcome === "wrong")).toEqual([]);
    if (deleted.status !== "success") {
      // KNOWN ISSUE (README "When things break"): on FerretDB, with 20 downloads streaming, the delete
      // can wait past the driver's 20 s socket timeout. It must then say so clearly, and a retry finishes it.
      console.warn(`[fault 4] KNOWN ISSUE: delete forever during 20 downloads answered ${JSON.stringify(deleted)}`);
      expect(deleted).toMatchObject({ status: "error", code: "unavailable" });
      await client.action("deleteForeverAction", { selection });
    } else {
      expect(deleted.data.done).toBe(1);
    }

    // Gone: the record answers 404, and so does deleting it again.
    expect((await client.get(`/api/images/${id}`)).status).toBe(404);
    expect((await client.get(`/api/images/${id}/original`)).status).toBe(404);
    const second = await client.action<{ done: number }>("deleteForeverAction", { selection });
    expect(second).toMatchObject({ status: "error", code: "not_found" });
    // After a timed-out delete its blobs may remain until the sweeper's 10-minute grace has passed.
    if (deleted.status === "success") expect(await (await getDb()).collection("fs.files").countDocuments({ "metadata.imageId": id })).toBe(0);
  });
});
