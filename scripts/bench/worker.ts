// One engine's bench run. scripts/bench.ts starts this under scripts/with-db.mjs
// (which provides MONGODB_URI, AUTH_SECRET, IMAGE_KEYS and EMBEDDED_DB_ENGINE),
// and it writes its figures as JSON to $BENCH_OUT. Progress goes to stderr.
//
// Each section works in its own database on the same server, so one section's
// data never inflates another's collections (the FerretDB backends scan).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { Readable } from "node:stream";

import { GridFSBucket } from "mongodb";

import { analyzeImage } from "@/lib/analyze";
import { closeDb, getDb } from "@/lib/db";
import { createDownloadToken, openZipDownload } from "@/lib/downloads";
import { listImages } from "@/lib/image-listing";
import { type ImageDoc, openImageVariant } from "@/lib/images";
import { hashPassword } from "@/lib/passwords";
import { makeJpeg, makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";
import { sweepUploads } from "@/lib/uploads";
import { authenticate, createUser } from "@/lib/users";

import { ensureGinIndexes } from "../pg-gin-indexes.mjs";

import { sectionAnalysis } from "./analysis";
import { sectionConcurrency } from "./concurrency";
import { runDecodeBench } from "./decode";
import { insertCopies, makeTemplate } from "./fill";
import { sectionLibrary } from "./library";
import { consume, noiseDims, noiseJpeg } from "./noise";
import { sectionRefusal } from "./refusal";
import { sectionShare } from "./share";
import { sectionTransfer } from "./transfer";
import { MiB, type SectionContext, envNumber, log, median, mibps, now, percentile, ratePerSecond, sampleMs, timed, withRssSampling } from "./util";

export type Row = { section: string; key: string; label: string; unit: string; value: number | string | null; note?: string };

const rows: Row[] = [];
const notes: string[] = [];
const engine = process.env.EMBEDDED_DB_ENGINE ?? "external MongoDB";
const engineShort = engine.replace(/^ferretdb-/, "");
const PASSWORD = "bench-password-1234";

function put(section: string, key: string, label: string, unit: string, value: number | string | null, note?: string) {
  rows.push({ section, key, label, unit, value, note });
}

function ratio(a: number, b: number): number {
  return a / b;
}

/** Points lib/db at a fresh database of the same server. */
async function freshDatabase(name: string | null) {
  await closeDb();
  if (name) process.env.MONGODB_DB = name;
  else delete process.env.MONGODB_DB;
  const db = await getDb();
  await db.dropDatabase();
  await closeDb();
  const fresh = await getDb();
  await addGinIndexes(fresh.databaseName);
  return fresh;
}

/**
 * The app's GIN indexes (scripts/pg-gin-indexes.mjs) for a bench database, as
 * scripts/with-db.mjs gives the app's own: without them every equality query
 * on FerretDB/PostgreSQL scans its collection, and no figure would be the app's.
 */
async function addGinIndexes(dbName: string) {
  const url = process.env.EMBEDDED_PG_URL;
  if (!engine.endsWith("postgresql") || !url || !process.env.MONGODB_URI) return;
  const pgBin = ["17", "16", "15"].map((v) => `/usr/lib/postgresql/${v}/bin/psql`).find((p) => fs.existsSync(p)) ?? "psql";
  await ensureGinIndexes({
    mongoUrl: process.env.MONGODB_URI,
    dbName,
    psql: (sql: string) => spawnSync(pgBin, [url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { encoding: "utf8", cwd: "/" }),
    log: (line: string) => notes.push(`GIN indexes for ${dbName}: ${line}`),
  });
}

// ---------------------------------------------------------------- 1. accounts

async function sectionAccounts() {
  const S = "accounts";
  await freshDatabase("bench_accounts");
  const samples = envNumber("BENCH_HASH_SAMPLES", 20);
  const hashMs = await sampleMs(() => hashPassword({ password: PASSWORD }), samples, 2);
  const med = median(hashMs);
  put(S, "hash_ms", "Argon2id hashPassword (19 MiB, t=2, p=1), median", "ms", med, `${samples} samples, p90 ${percentile(hashMs, 90).toFixed(1)} ms`);
  const rawC1 = await ratePerSecond(() => hashPassword({ password: PASSWORD }), samples, 1);
  const rawC2 = await ratePerSecond(() => hashPassword({ password: PASSWORD }), samples, 2);
  put(S, "raw_rate_c1", "raw hashes/s, concurrency 1", "/s", rawC1);
  put(S, "raw_rate_c2", "raw hashes/s, concurrency 2", "/s", rawC2);

  await createUser({ username: "bench_signin", displayName: "Bench", password: PASSWORD });
  const signin = () => authenticate({ username: "bench_signin", password: PASSWORD, ip: "bench" });
  await signin();
  const inC1 = await ratePerSecond(signin, samples, 1);
  const inC2 = await ratePerSecond(signin, samples, 2);
  put(S, "signin_rate_c1", "sign-ins/s via authenticate(), concurrency 1", "/s", inC1);
  put(S, "signin_rate_c2", "sign-ins/s via authenticate(), concurrency 2", "/s", inC2);
  put(S, "signin_ratio_c1", "sign-in rate / raw hash rate, concurrency 1", "×", ratio(inC1, rawC1));
  put(S, "signin_ratio_c2", "sign-in rate / raw hash rate, concurrency 2", "×", ratio(inC2, rawC2));
  put(S, "signin_scaling", "sign-ins/s at concurrency 2 / at 1", "×", ratio(inC2, inC1));
}

// ---------------------------------------------------------------- 3. analysis

async function sectionAnalyze() {
  const S = "analyze";
  const inputs = [
    { key: "jpeg_4000", label: "analyzeImage, 4000×3000 JPEG (q85)", bytes: await makeJpeg({ width: 4000, height: 3000 }), mime: "image/jpeg", n: 5 },
    { key: "png_1200", label: "analyzeImage, 1200×800 PNG", bytes: await makePng({ width: 1200, height: 800 }), mime: "image/png", n: 10 },
    { key: "noise_3000", label: "analyzeImage, 3000×2500 noise JPEG (q100, the transfer file)", bytes: await noiseJpeg({ width: 3000, height: 2500 }), mime: "image/jpeg", n: 3 },
  ];
  for (const input of inputs) {
    const ms = await sampleMs(() => analyzeImage({ source: Readable.from([input.bytes]), mime: input.mime }), input.n, 1);
    put(S, input.key, input.label, "ms/image", median(ms), `${(input.bytes.length / MiB).toFixed(1)} MiB input, ${input.n} samples`);
  }
}

// ---------------------------------------------------------------- 3b. parallel decodes and the decode queue

async function sectionDecode() {
  for (const row of await runDecodeBench()) put("decode", row.key, row.label, row.unit, row.value, row.note);
}

// ------------------------------------------------- 4 + 5. reads and the gallery vs collection size

function psqlForBench(): ((sql: string) => string) | null {
  // scripts/with-db.mjs passes its private cluster's URL to the command it runs.
  const url = process.env.EMBEDDED_PG_URL;
  if (!engine.endsWith("postgresql") || !url) return null;
  const pgBin = ["17", "16", "15"].map((v) => `/usr/lib/postgresql/${v}/bin/psql`).find((p) => fs.existsSync(p)) ?? "psql";
  return (sql: string) => {
    const r = spawnSync(pgBin, [url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { encoding: "utf8", cwd: "/" });
    if (r.status !== 0) throw new Error(`psql: ${r.stderr || r.error}`);
    return r.stdout.trim();
  };
}

/**
 * The GIN index on fs.chunks files_id that FerretDB's PostgreSQL backend needs
 * (FerretDB #4646). scripts/with-db.mjs makes it for the app's database; the
 * bench's own databases get it here, with fresh statistics.
 */
function addChunksGinIndex(dbName: string): boolean {
  const psql = psqlForBench();
  if (!psql) return false;
  const table = psql(`SELECT _jsonb->>'table' FROM "${dbName}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'fs.chunks'`);
  if (!table) throw new Error("fs.chunks table not found in FerretDB metadata");
  psql(`CREATE INDEX IF NOT EXISTS bench_fs_chunks_files_id_gin ON "${dbName}"."${table}" USING gin ((_jsonb->'files_id'))`);
  psql(`ANALYZE "${dbName}"."${table}"`);
  return true;
}

/** fs.chunks size in MiB (collStats), or null where the server does not say. */
async function chunksMiB(): Promise<number | null> {
  try {
    const stats = await (await getDb()).command({ collStats: "fs.chunks" });
    return Number(stats.size) / MiB;
  } catch {
    return null;
  }
}

async function sectionReads() {
  const S = "reads";
  const G = "gallery";
  const dbName = "bench_reads";
  await freshDatabase(dbName);
  const user = await createUser({ username: "bench_reads", displayName: "Bench", password: PASSWORD });
  const ownerId = user.id;
  const png = await makePng({ width: 64, height: 48 });
  const template = await makeTemplate({ bytes: png, mime: "image/png" });
  const counts = (process.env.BENCH_READ_COUNTS ?? "10,100,1000").split(",").map(Number).sort((a, b) => a - b);
  const realUploads = Math.min(10, counts[0]);
  const ids: string[] = [];
  // Per measurement: at most this many ms of samples once 3 are in (the SQLite backend is slow at 1,000).
  const budget = envNumber("BENCH_SAMPLE_BUDGET_MS", 8000);

  const realUploadMs = async (n: number, label: string) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const { ms: t, value } = await timed(() => uploadBytes({ ownerId, name: `${label}-${i}.png`, bytes: png }));
      ids.push(value.id);
      ms.push(t);
    }
    return median(ms);
  };
  const readThumb = async (i: number) => {
    const id = ids[(Math.abs(i) * 7919) % ids.length];
    const opened = await openImageVariant({ ownerId, imageId: id, variant: "thumb" });
    await consume(opened.read());
  };
  const walk = async () => {
    let cursor: string | null = null;
    let items = 0;
    let pages = 0;
    do {
      const page = await listImages({ ownerId, cursor });
      items += page.items.length;
      pages++;
      cursor = page.nextCursor;
    } while (cursor);
    return { items, pages };
  };

  const firstMs = await realUploadMs(realUploads, "first");
  put(S, `upload_small_${counts[0]}`, `real upload (uploadBytes) of a 64×48 PNG, first ${realUploads} images`, "ms/image", firstMs);

  const measured: Record<number, { thumb: number; list10: number; page: number; walk: number; walkPages: number }> = {};
  let lastSweep: { n: number; ms: number } | null = null;
  for (const n of counts) {
    if (ids.length < n) {
      const t = await timed(() => insertCopies({ ownerId, template, count: n - ids.length, namePrefix: `copy${n}`, startAt: new Date(Date.now() - 86_400_000 - ids.length * 1000) }));
      ids.push(...t.value);
      log(`  reads: filled to ${n} images (${(t.ms / 1000).toFixed(1)} s)`);
    }
    const thumbs = await sampleMs(readThumb, 30, 1, budget);
    const thumb = median(thumbs);
    const list10s = await sampleMs(() => listImages({ ownerId, limit: 10 }), 15, 1, budget);
    const list10 = median(list10s);
    const page = median(await sampleMs(() => listImages({ ownerId }), 10, 1, budget / 2));
    const walks: number[] = [];
    let walkPages = 0;
    for (let i = 0; i < 3; i++) {
      const { ms, value } = await timed(walk);
      if (value.items !== n) throw new Error(`gallery walk saw ${value.items} of ${n} images`);
      walkPages = value.pages;
      walks.push(ms);
      if (ms > budget / 2) break;
    }
    measured[n] = { thumb, list10, page, walk: median(walks), walkPages };
    // The upload sweeper (lib/uploads maybeSweep → sweepUploads), which every server process runs every
    // ten minutes off the request path. The copies are a day old, so it checks each of their blobs.
    const predicted = lastSweep ? lastSweep.ms * (n / lastSweep.n) ** 2 : 0;
    if (predicted < envNumber("BENCH_SWEEP_MAX_MS", 90_000)) {
      const sweep = await timed(() => sweepUploads());
      if (sweep.value.files || sweep.value.uploads) {
        notes.push(`sweepUploads at ${n} images removed live data: ${JSON.stringify(sweep.value)}`);
      }
      lastSweep = { n, ms: sweep.ms };
      put(S, `sweep_${n}`, `upload sweeper pass (sweepUploads), ${n} images stored`, "ms", sweep.ms);
    } else {
      notes.push(`sweepUploads at ${n} images skipped: predicted ${(predicted / 1000).toFixed(0)} s from ${lastSweep?.n} images (quadratic)`);
    }
    const chunks = await chunksMiB();
    if (chunks !== null) put(S, `chunks_${n}`, `fs.chunks size, ${n} images stored`, "MiB", chunks);
    put(S, `thumb_${n}`, `read one thumbnail (openImageVariant + body), ${n} images stored`, "ms", thumb, `median of ${thumbs.length}`);
    put(S, `list10_${n}`, `listImages, first 10 items, ${n} images stored`, "ms", list10, `median of ${list10s.length}`);
    put(G, `page_${n}`, `listImages first page (60 items), ${n} images stored`, "ms", page, `page holds ${Math.min(60, n)} items`);
    put(G, `walk_${n}`, `cursor walk of the whole gallery, ${n} images (${walkPages} pages)`, "ms", median(walks));
    put(G, `walk_page_${n}`, `cursor walk per page, ${n} images`, "ms/page", median(walks) / walkPages);
  }
  const lo = counts[0];
  const hi = counts[counts.length - 1];
  const lastMs = await realUploadMs(Math.min(3, realUploads), "last");
  put(S, `upload_small_${hi}`, `real upload of the same PNG with ${hi} images stored`, "ms/image", lastMs);
  put(S, "ratio_thumb", `ratio: thumbnail read at ${hi} / at ${lo}`, "×", ratio(measured[hi].thumb, measured[lo].thumb));
  put(S, "ratio_list10", `ratio: listImages (10 items) at ${hi} / at ${lo}`, "×", ratio(measured[hi].list10, measured[lo].list10));
  put(S, "ratio_upload", `ratio: small upload at ${hi} / at ${lo}`, "×", ratio(lastMs, firstMs));
  const sweepAt = (n: number) => rows.find((r) => r.section === S && r.key === `sweep_${n}`)?.value;
  const sweepHi = sweepAt(hi);
  const sweepLo = sweepAt(lo);
  if (typeof sweepHi === "number" && typeof sweepLo === "number") put(S, "ratio_sweep", `ratio: sweeper pass at ${hi} / at ${lo}`, "×", ratio(sweepHi, sweepLo));
  const mid = counts.find((c) => c >= 60 && c < hi);
  if (mid) {
    put(G, "ratio_page", `ratio: first page at ${hi} / at ${mid}`, "×", ratio(measured[hi].page, measured[mid].page));
    put(G, "ratio_walk_page", `ratio: walk ms/page at ${hi} / at ${mid}`, "×", ratio(measured[hi].walk / measured[hi].walkPages, measured[mid].walk / measured[mid].walkPages));
  }

  // The same read with a GIN index on fs.chunks files_id (PostgreSQL only; see addChunksGinIndex).
  if (process.env.BENCH_PG_GIN !== "0" && engine.endsWith("postgresql")) {
    try {
      if (addChunksGinIndex(dbName)) {
        const thumb = median(await sampleMs(readThumb, 30, 1, budget));
        put(S, `thumb_${hi}_gin`, `read one thumbnail, ${hi} images, GIN index on fs.chunks files_id (added by the bench)`, "ms", thumb);
        put(S, "ratio_thumb_gin", `ratio: thumbnail read at ${hi} with that GIN index / at ${lo}`, "×", ratio(thumb, measured[lo].thumb));
      }
    } catch (err) {
      notes.push(`GIN experiment skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

// ---------------------------------------------------------------- 6. zip

async function sectionZip() {
  const S = "zip";
  const scale = envNumber("BENCH_SCALE", 1);
  const count = Math.max(1, Math.round(envNumber("BENCH_ZIP_IMAGES", 16 * scale)));
  const totalMiB = envNumber("BENCH_ZIP_MIB", 64 * scale);
  const db = await freshDatabase("bench_zip");
  const user = await createUser({ username: "bench_zip", displayName: "Bench", password: PASSWORD });
  // BENCH_ZIP_GIN=1: the zip on PostgreSQL with a GIN index on files_id (what makes the 2 GiB run feasible).
  if (process.env.BENCH_ZIP_GIN === "1") {
    if (addChunksGinIndex("bench_zip")) notes.push("zip: ran with a GIN index on fs.chunks files_id (BENCH_ZIP_GIN=1), not the app's own indexes");
    else notes.push("zip: BENCH_ZIP_GIN=1 ignored (PostgreSQL engine only)");
  }
  const ownerId = user.id;
  const original = await noiseJpeg(noiseDims(totalMiB / count));
  const template = await makeTemplate({ bytes: original, mime: "image/jpeg" });
  // One real upload through the whole pipeline, the rest sealed copies (scripts/bench/fill.ts).
  const fill = await timed(async () => {
    const real = await uploadBytes({ ownerId, name: "real-0.jpg", bytes: original });
    return [real.id, ...(count > 1 ? await insertCopies({ ownerId, template, count: count - 1, namePrefix: "zip" }) : [])];
  });
  const storedMiB = (original.length * count) / MiB;
  log(`  zip: stored ${count} images, ${storedMiB.toFixed(0)} MiB in ${(fill.ms / 1000).toFixed(1)} s`);
  put(S, "images", "images in the zip", "count", count, `${(original.length / MiB).toFixed(2)} MiB noise JPEG each`);
  put(S, "stored", "originals stored", "MiB", storedMiB);
  put(S, "fill_rate", "bulk fill rate (seal + insertMany, for reference)", "MiB/s", mibps(original.length * count, fill.ms));
  // The same small read as in "reads", but with large originals stored: what the backends scan is bytes.
  const ids = fill.value;
  const thumbs = await sampleMs(
    async (i) => consume((await openImageVariant({ ownerId, imageId: ids[Math.abs(i) % ids.length], variant: "thumb" })).read()),
    10,
    1,
    envNumber("BENCH_SAMPLE_BUDGET_MS", 8000),
  );
  put(S, "thumb_ms", `read one thumbnail with these ${count} originals stored`, "ms", median(thumbs), `median of ${thumbs.length}`);

  const { token } = await createDownloadToken({ ownerId, selection: { all: true } });
  const zipRun = await withRssSampling(async () => {
    const t0 = now();
    const zip = await openZipDownload({ ownerId, token });
    const n = await consume(zip.body);
    if (n !== zip.contentLength) throw new Error(`zip body ${n} bytes, Content-Length said ${zip.contentLength}`);
    return { bytes: n, ms: now() - t0 };
  });

  const rawLimit = Math.round(envNumber("BENCH_ZIP_RAW_MAX", count));
  const docs = await db
    .collection<ImageDoc>("images")
    .find({ ownerId }, { projection: { "blobs.original": 1 } })
    .limit(rawLimit)
    .toArray();
  const bucket = new GridFSBucket(db);
  const rawRun = await withRssSampling(async () => {
    const t0 = now();
    let n = 0;
    for (const d of docs) n += await consume(bucket.openDownloadStream(d.blobs.original.fileId));
    return { bytes: n, ms: now() - t0 };
  });
  const zipRate = mibps(zipRun.value.bytes, zipRun.value.ms);
  const rawRate = mibps(rawRun.value.bytes, rawRun.value.ms);
  put(S, "zip_rate", "zip via createDownloadToken + openZipDownload (decrypt + ZIP64 writer)", "MiB/s", zipRate, `${(zipRun.value.ms / 1000).toFixed(1)} s for ${(zipRun.value.bytes / MiB).toFixed(0)} MiB`);
  put(S, "raw_rate", "raw GridFS openDownloadStream of the same originals (sealed bytes)", "MiB/s", rawRate, docs.length < count ? `first ${docs.length} of ${count} originals` : undefined);
  put(S, "ratio", "ratio: zip / raw GridFS", "×", ratio(zipRate, rawRate));
  put(S, "per_image_ms", "zip time per image", "ms/image", zipRun.value.ms / count);
  put(S, "rss_start", "RSS before the zip", "MiB", zipRun.rssStartMiB);
  put(S, "rss_peak", "peak RSS during the zip (sampled every 50 ms)", "MiB", zipRun.rssPeakMiB);
  put(S, "rss_growth", "peak RSS growth during the zip", "MiB", zipRun.rssGrowthMiB);
  put(S, "rss_growth_raw", "peak RSS growth during the raw GridFS reads", "MiB", rawRun.rssGrowthMiB);
}

// ---------------------------------------------------------------- main

const context: SectionContext = { put, notes, freshDatabase, addChunksGinIndex, engineShort };

const SECTIONS: Record<string, () => Promise<void>> = {
  accounts: sectionAccounts,
  transfer: () => sectionTransfer(context),
  concurrency: () => sectionConcurrency(context),
  refusal: () => sectionRefusal(context),
  share: () => sectionShare(context),
  analyze: sectionAnalyze,
  analysis: () => sectionAnalysis(context),
  decode: sectionDecode,
  reads: sectionReads,
  zip: sectionZip,
  library: () => sectionLibrary({ put, freshDatabase, refreshStatistics: () => addGinIndexes("bench_library") }),
};

async function main() {
  const out = process.env.BENCH_OUT;
  if (!out) throw new Error("BENCH_OUT is not set (run `npm run bench`, not this file)");
  const wanted = (process.env.BENCH_SECTIONS ?? Object.keys(SECTIONS).join(",")).split(",").filter(Boolean);
  const started = now();
  const timings: Record<string, number> = {};
  const errors: Record<string, string> = {};
  // Colleagues' jobs on the same machine skew figures; the 1-minute load before and after each section says so.
  const loadAverages: Record<string, number[]> = {};
  let stopping = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      // Runs the "exit" hooks (the app server is killed there); with-db then stops the database.
      stopping = true;
      process.exit(130);
    });
  }
  for (const name of wanted) {
    const fn = SECTIONS[name];
    if (!fn) throw new Error(`unknown section ${name}`);
    log(`${engineShort}: ${name}...`);
    const t = now();
    loadAverages[name] = [os.loadavg()[0]];
    try {
      await fn();
    } catch (err) {
      if (stopping) break;
      errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${engineShort}: ${name} FAILED: ${errors[name]}`);
    }
    timings[name] = (now() - t) / 1000;
    loadAverages[name].push(os.loadavg()[0]);
    log(`${engineShort}: ${name} done in ${timings[name].toFixed(1)} s`);
  }
  await closeDb();
  fs.writeFileSync(
    out,
    JSON.stringify({ engine, rows, notes, errors, sectionSeconds: timings, loadAverages, totalSeconds: (now() - started) / 1000 }, null, 2),
  );
}

main()
  .then(() => process.exit(0))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
