// Section 2: one file through the app's real HTTP path (begin and complete as
// server actions, parts as PUTs, the original as a GET) against raw GridFS on
// the same database, side by side in one run, with the CPU each process of the
// stack burned in every phase ("where the time went").
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { GridFSBucket, ObjectId } from "mongodb";

import { CHUNK_SIZE } from "@/lib/blob-crypto";
import { pendingAnalysisCount } from "@/lib/analysis-queue";
import { deleteImagesForever, openImageVariant } from "@/lib/images";
import { makePng } from "@/lib/testing/fixtures";
import { PART_SIZE } from "@/lib/uploads";
import { createUser } from "@/lib/users";

import { AppClient } from "./app-client";
import { type CpuParts, type CpuSnapshot, addCpu, cpuDelta, cpuSnapshot, findCpuTargets } from "./cpu";
import { summarise } from "./cpuprofile";
import { startApp } from "./http";
import { consume, noiseDims, noiseJpeg } from "./noise";
import { MiB, type SectionContext, envNumber, log, median, mibps, now } from "./util";

const PASSWORD = "bench-password-1234";

type Phase = "parts" | "complete" | "download" | "rawUp" | "rawDown";
const PHASE_LABELS: Record<Phase, string> = {
  parts: "app upload, parts (HTTP PUTs)",
  complete: "app upload, complete (server action)",
  download: "app download (HTTP GET)",
  rawUp: "raw GridFS upload (255 KiB chunks)",
  rawDown: "raw GridFS download (255 KiB chunks)",
};

export async function sectionTransfer(ctx: SectionContext) {
  const S = "transfer";
  // The app server and this process must share one database: the URI's own.
  const db = await ctx.freshDatabase(null);
  const user = await createUser({ username: "bench_http", displayName: "Bench", password: PASSWORD });
  const ownerId = user.id;
  const dims = noiseDims(envNumber("BENCH_TRANSFER_MIB", 20));
  const bytes = await noiseJpeg(dims);
  const reps = Math.round(envNumber("BENCH_TRANSFER_REPS", 5));
  ctx.put(S, "file", "test file: noise JPEG q100 4:4:4", "MiB", bytes.length / MiB, `${dims.width}×${dims.height}, ${reps} repetitions, medians`);

  const appDir = process.env.BENCH_APP_DIR || process.cwd();
  const logFile = path.join(process.cwd(), "bench-results", `next-${ctx.engineShort}.log`);
  // BENCH_CPU_PROF=1: a V8 CPU profile of the app server (written when it stops) and a summary of it.
  const profDir = process.env.BENCH_CPU_PROF === "1" ? path.join(process.cwd(), "bench-results", "profiles", ctx.engineShort) : null;
  if (profDir) fs.rmSync(profDir, { recursive: true, force: true });
  const app = await startApp({ appDir, logFile, nodeArgs: profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [] });
  const floor = await startFloorServer();
  const targets = findCpuTargets({ appPid: app.pid });
  if (!targets) ctx.notes.push("transfer: no /proc here, so no CPU time per process");
  const cpu = Object.fromEntries(Object.keys(PHASE_LABELS).map((p) => [p, { worker: 0, app: 0, ferretdb: 0, postgres: 0 }])) as Record<Phase, CpuParts>;
  const walls: Record<Phase, number[]> = { parts: [], complete: [], download: [], rawUp: [], rawDown: [] };
  try {
    const client = await AppClient.signIn({ baseUrl: app.baseUrl, appDir, username: "bench_http", password: PASSWORD });

    // Warm-up: first requests load the route handlers, the actions and the auth stack.
    const small = await makePng({ width: 64, height: 48 });
    const warm = await client.upload(small, "warm.png");
    if (!(await client.download(warm.id)).body.equals(small)) throw new Error("warm-up download differs");
    await deleteImagesForever({ ownerId, imageIds: [warm.id] });

    const res: Record<string, number[]> = { background: [], parts: [], complete: [], total: [], down: [], inproc: [], rawUp: [], rawDown: [], raw64Up: [], raw64Down: [], rawPiecesUp: [], floorUp: [], floorDown: [] };
    const phase = (name: Phase, from: CpuSnapshot | null, to: CpuSnapshot | null) => {
      addCpu(cpu[name], cpuDelta(from, to));
      if (from && to) walls[name].push((to.at - from.at) / 1000);
    };
    // The characteristics (issue 11) are worked out in the background after complete, by worker
    // threads of the app process. Each timed step starts once that backlog is empty, so no step,
    // the raw ones included, is measured beside another step's analysis; its own time is a row.
    const settle = async (): Promise<number> => {
      const t0 = now();
      while ((await pendingAnalysisCount()) > 0 && now() - t0 < 180_000) await new Promise((r) => setTimeout(r, 100));
      return now() - t0;
    };
    const appRound = async () => {
      await settle();
      const marks: Partial<Record<"begun" | "parts" | "complete", CpuSnapshot | null>> = {};
      const up = await client.upload(bytes, "bench.jpg", (p) => (marks[p] = cpuSnapshot(targets)));
      res.background.push(await settle());
      phase("parts", marks.begun ?? null, marks.parts ?? null);
      phase("complete", marks.parts ?? null, marks.complete ?? null);
      res.parts.push(up.partsMs);
      res.complete.push(up.completeMs);
      res.total.push(up.totalMs);
      const d0 = cpuSnapshot(targets);
      const down = await client.download(up.id);
      phase("download", d0, cpuSnapshot(targets));
      if (!down.body.equals(bytes)) throw new Error("downloaded original differs from the upload");
      res.down.push(down.ms);
      const opened = await openImageVariant({ ownerId, imageId: up.id, variant: "original" });
      const t = now();
      await consume(opened.read());
      res.inproc.push(now() - t);
      await deleteImagesForever({ ownerId, imageIds: [up.id] });
    };
    /** Raw GridFS: the whole buffer in one write (the driver then has every chunk's insert in flight at once), or 4 MiB writes each awaited. */
    const raw = async (bucket: GridFSBucket, up: number[], down: number[] | null, pieces = false, phases = false) => {
      const c0 = cpuSnapshot(targets);
      const t0 = now();
      const id = await new Promise<ObjectId>((resolve, reject) => {
        const s = bucket.openUploadStream("bench.jpg");
        s.once("finish", () => resolve(s.id as ObjectId));
        s.once("error", reject);
        if (!pieces) return void s.end(bytes);
        void (async () => {
          for (let at = 0; at < bytes.length; at += PART_SIZE) {
            await new Promise<void>((ok, fail) => s.write(bytes.subarray(at, at + PART_SIZE), (err) => (err ? fail(err) : ok())));
          }
          s.end();
        })().catch(reject);
      });
      up.push(now() - t0);
      const c1 = cpuSnapshot(targets);
      if (phases) phase("rawUp", c0, c1);
      if (down) {
        const t1 = now();
        const n = await consume(bucket.openDownloadStream(id));
        down.push(now() - t1);
        if (phases) phase("rawDown", c1, cpuSnapshot(targets));
        if (n !== bytes.length) throw new Error("raw GridFS read returned the wrong length");
      }
      await bucket.delete(id);
    };
    /** The same parts (3 in flight, as the browser sends them) through the bare HTTP server, then the file back out of it. */
    const floorRound = async () => {
      const t0 = now();
      let next = 0;
      const ids: string[] = [];
      const worker = async () => {
        while (next * PART_SIZE < bytes.length) {
          const at = next++ * PART_SIZE;
          const part = bytes.subarray(at, at + PART_SIZE);
          const r = await fetch(`${floor.url}/`, { method: "PUT", body: new Uint8Array(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength) });
          ids.push(await r.text());
          if (r.status !== 201) throw new Error(`bare HTTP server answered ${r.status}`);
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      res.floorUp.push(now() - t0);
      const whole = new GridFSBucket(db);
      const id = await new Promise<ObjectId>((resolve, reject) => {
        const s = whole.openUploadStream("floor.jpg");
        s.once("finish", () => resolve(s.id as ObjectId));
        s.once("error", reject);
        s.end(bytes);
      });
      const t1 = now();
      const got = await fetch(`${floor.url}/${String(id)}`);
      const n = await consume(got.body as unknown as AsyncIterable<Uint8Array>);
      res.floorDown.push(now() - t1);
      if (n !== bytes.length) throw new Error("bare HTTP server returned the wrong length");
      for (const f of [id, ...ids.map((x) => new ObjectId(x))]) await whole.delete(f);
    };
    const rawRound = async () => {
      await settle();
      await floorRound();
      await raw(new GridFSBucket(db), res.rawUp, res.rawDown, false, true);
      await raw(new GridFSBucket(db, { chunkSizeBytes: 64 * 1024 }), res.raw64Up, res.raw64Down);
      await raw(new GridFSBucket(db), res.rawPiecesUp, null, true);
    };
    for (let r = 0; r < reps; r++) {
      log(`  transfer repetition ${r + 1}/${reps}`);
      // Alternate the order so neither side always runs on a warmer cache.
      if (r % 2 === 0) {
        await appRound();
        await rawRound();
      } else {
        await rawRound();
        await appRound();
      }
    }
    const rate = (list: number[]) => mibps(bytes.length, median(list));
    const parts = rate(res.parts);
    const total = rate(res.total);
    const down = rate(res.down);
    const rawUp = rate(res.rawUp);
    const rawDown = rate(res.rawDown);
    const chunkNote = `the app's chunks are ${CHUNK_SIZE} bytes (${(CHUNK_SIZE - 16) / 1024} KiB + 16-byte tag), raw GridFS's ${255 * 1024}`;
    ctx.put(S, "up_parts", "upload, app: PUT parts over HTTP (encrypt + store)", "MiB/s", parts);
    ctx.put(S, "up_complete", "upload, app: complete (server action: analysis, thumbnails, records)", "ms", median(res.complete));
    ctx.put(S, "up_background", "upload, app: characteristics after complete (background workers), until done", "ms", median(res.background), "no other step is timed while it runs");
    ctx.put(S, "up_total", "upload, app: begin + parts + complete over HTTP (incl. analysis)", "MiB/s", total);
    ctx.put(S, "up_raw", "upload, raw GridFSBucket.openUploadStream, one write (255 KiB chunks)", "MiB/s", rawUp, chunkNote);
    ctx.put(S, "up_raw_pieces", "upload, raw GridFSBucket, 4 MiB writes one after another", "MiB/s", rate(res.rawPiecesUp), "each write waits for its chunks, like one part");
    ctx.put(S, "up_raw64", "upload, raw GridFSBucket, 64 KiB chunks (format v1's chunk size)", "MiB/s", rate(res.raw64Up));
    ctx.put(S, "up_ratio_parts", "ratio: app parts / raw GridFS", "×", parts / rawUp);
    ctx.put(S, "up_ratio_total", "ratio: app whole upload / raw GridFS", "×", total / rawUp);
    ctx.put(S, "up_floor", "upload, bare node:http server piping each part into GridFS (no auth, crypto or framework)", "MiB/s", rate(res.floorUp), "the least any HTTP app can do here");
    ctx.put(S, "up_ratio_floor", "ratio: bare HTTP server / raw GridFS (the ceiling for any HTTP app)", "×", rate(res.floorUp) / rawUp);
    ctx.put(S, "up_ratio_app_floor", "ratio: app parts / bare HTTP server", "×", parts / rate(res.floorUp));
    ctx.put(S, "down_http", "download, app: GET /api/images/{id}/original (decrypt)", "MiB/s", down);
    ctx.put(S, "down_inproc", "download, in-process openImageVariant read (decrypt, no HTTP)", "MiB/s", rate(res.inproc));
    ctx.put(S, "down_raw", "download, raw GridFSBucket.openDownloadStream (255 KiB chunks)", "MiB/s", rawDown);
    ctx.put(S, "down_raw64", "download, raw GridFSBucket, 64 KiB chunks", "MiB/s", rate(res.raw64Down));
    ctx.put(S, "down_ratio", "ratio: app HTTP download / raw GridFS", "×", down / rawDown);
    ctx.put(S, "down_floor", "download, bare node:http server streaming GridFS", "MiB/s", rate(res.floorDown));
    ctx.put(S, "down_ratio_floor", "ratio: bare HTTP server download / raw GridFS", "×", rate(res.floorDown) / rawDown);
    if (targets) {
      for (const p of Object.keys(PHASE_LABELS) as Phase[]) {
        const c = cpu[p];
        const n = Math.max(1, walls[p].length);
        const f = (x: number) => (x / n).toFixed(2);
        ctx.put(
          S,
          `cpu_${p}`,
          `CPU s per file: ${PHASE_LABELS[p]}`,
          "s",
          `wall ${median(walls[p]).toFixed(2)} · client ${f(c.worker)} · app ${f(c.app)} · FerretDB ${f(c.ferretdb)} · PostgreSQL ${f(c.postgres)}`,
          p === "rawUp" || p === "rawDown" ? "client = this bench process, the GridFS client" : "client = this bench process, the HTTP client",
        );
      }
    }
  } finally {
    await app.stop();
    floor.child.kill();
  }
  if (profDir && fs.existsSync(profDir)) {
    const profiles = fs.readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile"));
    const summary = profiles.map((f) => summarise(path.join(profDir, f), 30)).join("\n\n");
    fs.writeFileSync(path.join(profDir, "summary.txt"), summary + "\n");
    ctx.notes.push(`transfer: app server CPU profile in ${path.relative(process.cwd(), profDir)} (summary.txt)`);
  }
}

/** scripts/bench/http-floor-server.mjs in its own process (like the app server), on the bench's database. */
async function startFloorServer(): Promise<{ url: string; child: ChildProcess }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [path.join(process.cwd(), "scripts", "bench", "http-floor-server.mjs")], { env, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`bare HTTP server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}
