// Section 7: many uploaders at once through the real HTTP path (`next start`,
// begin/complete as server actions, parts as PUTs), against one uploader alone
// in the same run. Afterwards every image is read back over HTTP and compared
// byte for byte, and the collections are checked for anything lost or left
// over: images missing, upload sessions still open, chunks without a file, files
// without an image.
import fs from "node:fs";
import path from "node:path";

import { MongoClient, type ObjectId } from "mongodb";

import { getDb } from "@/lib/db";
import type { ImageDoc } from "@/lib/images";
import { createUser } from "@/lib/users";

import { AppClient } from "./app-client";
import { type CpuSnapshot, cpuDelta, cpuSnapshot, findCpuTargets } from "./cpu";
import { startApp } from "./http";
import { noiseDims, noiseJpeg, taggedJpeg } from "./noise";
import { MiB, type SectionContext, envNumber, log, median, now, percentile } from "./util";

const PASSWORD = "bench-password-1234";

/** The app server's resident memory in MiB, from /proc (null elsewhere). */
function rssMiB(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

type Sent = { uploader: number; image: number; id: string; ms: number };

export async function sectionConcurrency(ctx: SectionContext) {
  const S = "concurrency";
  const db = await ctx.freshDatabase(null);
  const uploaders = Math.round(envNumber("BENCH_CONC_UPLOADERS", 20));
  const imagesEach = Math.round(envNumber("BENCH_CONC_IMAGES", 10));
  const megabytes = envNumber("BENCH_CONC_MB", 4);
  // Reads back over HTTP look their blob up by files_id: give the database the GIN index the start script gives the app's.
  await db.createCollection("fs.chunks").catch(() => {});
  if (!ctx.addChunksGinIndex(db.databaseName) && ctx.engineShort === "postgresql") ctx.notes.push("concurrency: no GIN index on fs.chunks");

  // A few noise JPEGs of about `megabytes` MB; every upload sends a distinct tagged copy of one.
  const bases = await Promise.all([0, 1, 2, 3].map(() => noiseJpeg(noiseDims((megabytes * 1e6) / MiB))));
  const fileOf = (uploader: number, image: number) => taggedJpeg(bases[(uploader + image) % bases.length], `bench u${uploader} i${image}`);
  const size = fileOf(0, 0).length;
  ctx.put(S, "setup", "uploaders × images each, image size", "", `${uploaders} × ${imagesEach}, ${(size / 1e6).toFixed(2)} MB`, "noise JPEGs q100 4:4:4, one part each when under 4 MiB");

  const users = await Promise.all(
    Array.from({ length: uploaders + 1 }, (_, u) => createUser({ username: `bench_conc_${u}`, displayName: `Uploader ${u}`, password: PASSWORD })),
  );
  const appDir = process.env.BENCH_APP_DIR || process.cwd();
  const app = await startApp({ appDir, logFile: path.join(process.cwd(), "bench-results", `next-${ctx.engineShort}-concurrency.log`) });
  const sent: Sent[] = [];
  const errors: string[] = [];
  const targets = findCpuTargets({ appPid: app.pid });
  /** CPU seconds per image of each process between two snapshots. */
  const cpuPerImage = (a: CpuSnapshot | null, b: CpuSnapshot | null, images: number) => {
    const d = cpuDelta(a, b);
    if (!d || !images) return null;
    const f = (x: number) => (x / images).toFixed(3);
    return `client ${f(d.worker)} · app ${f(d.app)} · FerretDB ${f(d.ferretdb)} · PostgreSQL ${f(d.postgres)}`;
  };
  try {
    const clients: AppClient[] = [];
    for (const u of users.keys()) {
      clients.push(await AppClient.signIn({ baseUrl: app.baseUrl, appDir, username: `bench_conc_${u}`, password: PASSWORD }));
    }
    // Warm-up with the extra user (the last), whose image is left out of everything below.
    const warm = clients[uploaders];
    await warm.upload(fileOf(uploaders, 0), "warm.jpg");

    /** One uploader: its images one after the other, each begin → part(s) → complete, as the browser sends one file. */
    const run = async (uploader: number, label: string) => {
      for (let image = 0; image < imagesEach; image++) {
        try {
          const t = await clients[uploader].upload(fileOf(uploader, image), `${label}-${uploader}-${image}.jpg`);
          sent.push({ uploader, image, id: t.id, ms: t.totalMs });
        } catch (err) {
          errors.push(`uploader ${uploader}, image ${image}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    };

    // One uploader alone, then all of them at once; side by side, same database, same server.
    log(`  concurrency: 1 uploader × ${imagesEach} images`);
    const c0 = cpuSnapshot(targets);
    const t0 = now();
    await run(0, "single");
    const singleMs = now() - t0;
    const c1 = cpuSnapshot(targets);
    const singleSent = sent.length;
    const singleLatency = sent.map((s) => s.ms);

    log(`  concurrency: ${uploaders} uploaders × ${imagesEach} images at once`);
    let rssPeak = rssMiB(app.pid) ?? 0;
    const rssStart = rssPeak;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(app.pid) ?? 0)), 100);
    const c2 = cpuSnapshot(targets);
    const t1 = now();
    // Uploader 0 already sent its images alone; in the crowd it sends a second set under other names.
    await Promise.all(Array.from({ length: uploaders }, (_, u) => run(u, "crowd")));
    const crowdMs = now() - t1;
    const c3 = cpuSnapshot(targets);
    clearInterval(sampler);
    const crowd = sent.slice(singleSent);

    const singleRate = (singleSent * size) / MiB / (singleMs / 1000);
    const crowdRate = (crowd.length * size) / MiB / (crowdMs / 1000);
    ctx.put(S, "single_rate", `1 uploader, ${imagesEach} images one after the other`, "MiB/s", singleRate, `${(singleMs / 1000).toFixed(1)} s`);
    ctx.put(S, "crowd_rate", `${uploaders} uploaders at once, aggregate`, "MiB/s", crowdRate, `${(crowdMs / 1000).toFixed(1)} s for ${crowd.length} images`);
    ctx.put(S, "ratio", `ratio: aggregate of ${uploaders} / 1 uploader`, "×", crowdRate / singleRate);
    ctx.put(S, "latency_single", "time per image (begin → complete), 1 uploader, median / p95", "ms", `${median(singleLatency).toFixed(0)} / ${percentile(singleLatency, 95).toFixed(0)}`);
    const crowdLatency = crowd.map((s) => s.ms);
    ctx.put(S, "latency_crowd", `time per image, ${uploaders} uploaders, median / p95`, "ms", `${median(crowdLatency).toFixed(0)} / ${percentile(crowdLatency, 95).toFixed(0)}`);
    const cpuSingle = cpuPerImage(c0, c1, singleSent);
    const cpuCrowd = cpuPerImage(c2, c3, crowd.length);
    if (cpuSingle) ctx.put(S, "cpu_single", "CPU s per image, 1 uploader", "s", cpuSingle, "client = this bench process, the HTTP client");
    if (cpuCrowd) ctx.put(S, "cpu_crowd", `CPU s per image, ${uploaders} uploaders`, "s", cpuCrowd);
    if (rssStart) ctx.put(S, "rss", "app server RSS, before → peak during the crowd", "MiB", `${rssStart.toFixed(0)} → ${rssPeak.toFixed(0)}`);
    ctx.put(S, "errors", "failed uploads", "count", errors.length, errors[0]?.slice(0, 160));
    for (const e of errors.slice(0, 5)) ctx.notes.push(`concurrency: ${e}`);

    // Every image reads back, byte for byte, over HTTP (four at a time).
    log(`  concurrency: reading ${sent.length} images back`);
    let mismatched = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < sent.length) {
          const s = sent[next++];
          try {
            const { body } = await clients[s.uploader].download(s.id);
            if (!body.equals(fileOf(s.uploader, s.image))) mismatched++;
          } catch {
            mismatched++;
          }
        }
      }),
    );
    ctx.put(S, "read_back", "images read back byte-exact over HTTP", "", `${sent.length - mismatched} of ${sent.length}`);
  } finally {
    await app.stop();
  }

  // Lost: expected images missing; left over: open uploads, chunks without a file, files without an image.
  const d = await getDb();
  const docs = await d.collection<ImageDoc>("images").find({}, { projection: { blobs: 1 } }).toArray();
  const referenced = new Set(docs.flatMap((doc) => Object.values(doc.blobs).map((b) => b.fileId.toHexString())));
  const fileIds = new Set((await d.collection("fs.files").find({}, { projection: { _id: 1 } }).toArray()).map((f) => (f._id as ObjectId).toHexString()));
  // A full scan of fs.chunks: FerretDB reads every stored byte for it (about 840 MB here), past the
  // app client's 20 s socket timeout on a busy machine, so this check has a client without one.
  const scanner = new MongoClient(process.env.MONGODB_URI!, { socketTimeoutMS: 0 });
  let orphanChunks = 0;
  try {
    const chunks = scanner.db(d.databaseName).collection("fs.chunks");
    const chunkOwners: ObjectId[] = await chunks.distinct("files_id");
    for (const id of chunkOwners.filter((owner) => !fileIds.has(owner.toHexString()))) orphanChunks += await chunks.countDocuments({ files_id: id });
  } finally {
    await scanner.close();
  }
  const orphanFiles = [...fileIds].filter((id) => !referenced.has(id)).length;
  const expected = 1 + imagesEach * (uploaders + 1); // the warm-up image, the single run, the crowd
  ctx.put(S, "lost", "images expected / stored", "", `${expected} / ${docs.length}`, errors.length ? "failed uploads are not expected to be stored" : undefined);
  ctx.put(S, "leftover", "open uploads · orphan chunks · orphan files", "", `${await d.collection("uploads").countDocuments({})} · ${orphanChunks} · ${orphanFiles}`);
}
