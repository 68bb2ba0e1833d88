// The "analysis" bench section (issue 11): what characteristics cost, and what
// they cost everything else.
//  - model load time and RSS with the models loaded (lib/analysis-pool);
//  - per-image analysis of the real photos in lib/testing/photos, p50 and p95;
//  - upload complete → labels present, with the in-process loop as `next start` runs it;
//  - search latency at 100, 1,000 and 10,000 images (one owner, a rare word that
//    matches 10 of them), and the ratio 10,000 ÷ 100 (target ≤ 1.5);
//  - near-duplicate grouping of 1,000 and 10,000 perceptual hashes, and the ratio
//    (about 10× is linear; comparing every pair would be 100×);
//  - the HTTP upload rate of a `next start` analysing a backlog in the background ÷ the
//    rate of the same build with ANALYSIS=off (target ≥ 0.9).
import fs from "node:fs";
import path from "node:path";

import { closeAnalysisPool, warmAnalysisPool } from "@/lib/analysis-pool";
import { NEAR_BITS } from "@/lib/duplicates";
import { pendingAnalysisCount, startAnalysisLoop, stopAnalysisLoop } from "@/lib/analysis-queue";
import { getTraits } from "@/lib/image-traits";
import { analyseStoredImage } from "@/lib/image-traits";
import { searchImages } from "@/lib/search";
import { groupNearDuplicates } from "@/lib/near-duplicates";
import { indexImage } from "@/lib/search-index";
import { makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";
import { createUser } from "@/lib/users";

import { AppClient } from "./app-client";
import { insertCopies, makeTemplate } from "./fill";
import { startApp } from "./http";
import { type SectionContext, envNumber, log, median, now, percentile, sampleMs } from "./util";

const S = "analysis";
const PASSWORD = "bench-password-1234";
const PHOTOS = ["astronaut.jpg", "cat.jpg", "coffee.jpg", "dog.jpg", "motorcycle.jpg", "rocket.jpg"];

/**
 * `count` dHash-like hashes, reproducible: unrelated photos (random 64-bit
 * words) with, for one in ten, a copy a few bits away (resized or recompressed).
 */
function benchHashes(count: number): string[] {
  let seed = 7;
  const next32 = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  const word = () => next32().toString(16).padStart(8, "0");
  const out: string[] = [];
  while (out.length < count) {
    const h = word() + word();
    out.push(h);
    if (out.length < count && next32() % 10 === 0) {
      let v = BigInt(`0x${h}`);
      for (let k = next32() % 7; k > 0; k--) v ^= 1n << BigInt(next32() % 64);
      out.push(v.toString(16).padStart(16, "0"));
    }
  }
  return out;
}

export async function sectionAnalysis(ctx: SectionContext) {
  const photos = PHOTOS.map((name) => ({ name, bytes: fs.readFileSync(path.join(process.cwd(), "lib", "testing", "photos", name)) }));

  // --- models and per-image cost (in this process: the pool is the app's own code)
  await ctx.freshDatabase("bench_analysis");
  const rssBefore = process.memoryUsage().rss;
  const { loadMs, nsfwLoadMs, rss } = await warmAnalysisPool();
  ctx.put(S, "load_ms", "model load (CenterNet + BlazeFace + nsfwjs MobileNetV2, tfjs wasm, one worker)", "ms", loadMs);
  ctx.put(S, "nsfw_load_ms", "of which nsfwjs MobileNetV2 (weights from its package, one warm-up prediction)", "ms", nsfwLoadMs);
  ctx.put(S, "rss_mib", "RSS with the models loaded (growth over the process before)", "MiB", rss / 2 ** 20, `+${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB`);
  const owner = (await createUser({ username: "bench_analysis", displayName: "Bench", password: PASSWORD })).id;
  const uploaded: { id: string }[] = [];
  for (const p of photos) uploaded.push(await uploadBytes({ ownerId: owner, name: p.name, bytes: p.bytes }));
  const per = await sampleMs((i) => analyseStoredImage({ ownerId: owner, imageId: uploaded[Math.abs(i) % uploaded.length].id }), envNumber("BENCH_ANALYSIS_SAMPLES", 20), 2);
  ctx.put(S, "image_p50", "analysis per image (decrypt preview, pixels, models, seal, index), p50", "ms", median(per), `${per.length} samples over ${photos.length} real photos`);
  ctx.put(S, "image_p95", "analysis per image, p95", "ms", percentile(per, 95));

  // --- upload complete → labels present, with the server's loop
  startAnalysisLoop({ intervalMs: 60_000 });
  const latencies: number[] = [];
  for (const p of photos) {
    const item = await uploadBytes({ ownerId: owner, name: `again-${p.name}`, bytes: p.bytes });
    const t0 = now();
    while (!(await getTraits({ ownerId: owner, imageId: item.id }))) await new Promise((r) => setTimeout(r, 20));
    latencies.push(now() - t0);
  }
  ctx.put(S, "latency_p50", "upload complete → labels present (in-process loop), p50", "ms", median(latencies), `${latencies.length} uploads, max ${Math.max(...latencies).toFixed(0)} ms`);
  stopAnalysisLoop();

  // --- near-duplicate grouping vs library size (CPU only: the /duplicates page's grouping step)
  const dupSizes = [1000, 10_000];
  const dupMs: Record<number, number> = {};
  for (const size of dupSizes) {
    const hashes = benchHashes(size);
    let groups = 0;
    const sample = await sampleMs(async () => (groups = groupNearDuplicates(hashes, NEAR_BITS).length), envNumber("BENCH_DUPLICATES_SAMPLES", 7), 1);
    dupMs[size] = median(sample);
    ctx.put(S, `duplicates_${size}`, `near-duplicate grouping of ${size.toLocaleString("en-US")} hashes (≤ ${NEAR_BITS} bits)`, "ms", dupMs[size], `${groups} groups, ${sample.length} samples`);
  }
  ctx.put(S, "duplicates_ratio", "grouping at 10,000 ÷ at 1,000 hashes (10× linear, 100× all pairs)", "×", dupMs[10_000] / dupMs[1000]);

  // --- search latency vs library size
  await ctx.freshDatabase("bench_search");
  const searcher = (await createUser({ username: "bench_search", displayName: "Bench", password: PASSWORD })).id;
  const template = await makeTemplate({ bytes: await makePng({ width: 64, height: 48 }), mime: "image/png" });
  const sizes = (process.env.BENCH_SEARCH_SIZES ?? "100,1000,10000").split(",").map(Number).sort((a, b) => a - b);
  const samples = envNumber("BENCH_SEARCH_SAMPLES", 15);
  let have = 0;
  const ms: Record<number, number> = {};
  for (const size of sizes) {
    const t = now();
    const ids = await insertCopies({ ownerId: searcher, template, count: size - have, namePrefix: `s${size}` });
    // Every image gets the terms a photo typically has; a word matching 10 images at every size is the probe.
    for (const [i, id] of ids.entries()) {
      const terms = ["landscape", "people", "2024", "june", "blue", `w${(have + i) % 50}`];
      if (have + i < 10) terms.push("needle");
      await indexImage({ ownerId: searcher, imageId: id, terms });
    }
    have = size;
    log(`  analysis: search library at ${size} images (${((now() - t) / 1000).toFixed(0)} s)`);
    const sample = await sampleMs(() => searchImages({ ownerId: searcher, q: "needle" }), samples, 2);
    ms[size] = median(sample);
    ctx.put(S, `search_${size}`, `search "needle" (10 matches) at ${size.toLocaleString("en-US")} images`, "ms", ms[size], `${samples} samples`);
  }
  if (sizes.length > 1) {
    ctx.put(S, "search_ratio", `search at ${sizes.at(-1)!.toLocaleString("en-US")} ÷ at ${sizes[0]} images (target ≤ 1.5)`, "×", ms[sizes.at(-1)!] / ms[sizes[0]]);
  }

  // --- HTTP upload rate with analysis running beside it ÷ without
  const appDir = process.env.BENCH_APP_DIR;
  if (!appDir) {
    ctx.notes.push("analysis: no app build, so no HTTP upload figures");
    await closeAnalysisPool();
    return;
  }
  await ctx.freshDatabase(null);
  await createUser({ username: "bench_up", displayName: "Bench", password: PASSWORD });
  await closeAnalysisPool();
  const rounds = envNumber("BENCH_ANALYSIS_UPLOADS", 30);
  const uploadRound = async (client: AppClient, tag: string) => {
    const t0 = now();
    for (let i = 0; i < rounds; i++) {
      const p = photos[i % photos.length];
      await client.upload(p.bytes, `${tag}-${i}-${p.name}`);
    }
    return (rounds / (now() - t0)) * 1000;
  };
  const serve = async (analysis: "on" | "off") => {
    const previous = process.env.ANALYSIS;
    process.env.ANALYSIS = analysis;
    try {
      return await startApp({ appDir, logFile: path.join(process.cwd(), "bench-results", `next-analysis-${analysis}-${ctx.engineShort}.log`) });
    } finally {
      if (previous === undefined) delete process.env.ANALYSIS;
      else process.env.ANALYSIS = previous;
    }
  };
  // Without: a server that analyses nothing (ANALYSIS=off); its uploads pile up in the queue.
  let app = await serve("off");
  let without: number;
  try {
    const client = await AppClient.signIn({ baseUrl: app.baseUrl, appDir, username: "bench_up", password: PASSWORD });
    await client.upload(photos[0].bytes, "warm.jpg");
    without = await uploadRound(client, "alone");
  } finally {
    await app.stop();
  }
  // With: the same server with its analysis loop, a backlog of every upload so far, and new uploads.
  const backlog = await pendingAnalysisCount();
  app = await serve("on");
  try {
    const client = await AppClient.signIn({ baseUrl: app.baseUrl, appDir, username: "bench_up", password: PASSWORD });
    await client.upload(photos[0].bytes, "warm2.jpg");
    // Steady state: the loop has loaded its models (a one-off second of CPU per process) and is
    // working through the backlog, shown by the first job it finishes.
    const t1 = now();
    while ((await pendingAnalysisCount()) > backlog && now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 100));
    const withAnalysis = await uploadRound(client, "busy");
    const t0 = now();
    while ((await pendingAnalysisCount()) > 0 && now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 250));
    const drainS = (now() - t0) / 1000;
    ctx.put(S, "upload_alone", "HTTP uploads/s (real photos, 27–73 KB), server not analysing", "/s", without, `${rounds} uploads`);
    ctx.put(S, "upload_busy", "HTTP uploads/s, same server analysing a backlog in the background", "/s", withAnalysis, `backlog ${backlog} images`);
    ctx.put(S, "upload_ratio", "upload rate with analysis ÷ without (target ≥ 0.9)", "×", withAnalysis / without);
    ctx.put(S, "backlog_drain", "then the whole backlog analysed within", "s", drainS, `${backlog + rounds + 1} images, ${(await pendingAnalysisCount())} left`);
  } finally {
    await app.stop();
    await closeAnalysisPool();
  }
}
