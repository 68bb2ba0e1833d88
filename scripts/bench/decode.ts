// Section "decode": peak memory of many images decoded at once, with and without
// lib/decode-queue. Each configuration runs in a fresh child process
// (decode-child.ts), since RSS never shrinks back enough to compare runs in one.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";

import sharp from "sharp";

import { MiB, envNumber, log, median } from "./util";

export type DecodeRow = { key: string; label: string; unit: string; value: number; note?: string };

type Figures = { seconds: number; rssStartMiB: number; rssPeakMiB: number; rssGrowthMiB: number };

function runChild({ file, mime, count, env }: { file: string; mime: string; count: number; env: Record<string, string> }): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--expose-gc", "--import", "tsx", path.join(import.meta.dirname, "decode-child.ts")],
      {
        cwd: process.cwd(),
        env: { ...process.env, ...env, BENCH_DECODE_FILE: file, BENCH_DECODE_MIME: mime, BENCH_DECODE_COUNT: String(count) },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`decode-child exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()!) as Figures);
    });
  });
}

type Config = { key: string; label: string; env: Record<string, string> };

/**
 * `count` copies of each image, all started at once, under each configuration;
 * medians of `reps` runs, the configurations interleaved so that load from other
 * jobs on the machine spreads over all of them.
 */
async function measure({ file, mime, count, reps, configs }: { file: string; mime: string; count: number; reps: number; configs: Config[] }) {
  const runs = new Map<string, Figures[]>(configs.map((c) => [c.key, []]));
  for (let r = 0; r < reps; r++) {
    for (const c of configs) {
      const f = await runChild({ file, mime, count, env: c.env });
      log(`decode ${path.basename(file)} ${c.key} run ${r + 1}/${reps}: +${f.rssGrowthMiB.toFixed(0)} MiB peak, ${f.seconds.toFixed(1)} s`);
      runs.get(c.key)!.push(f);
    }
  }
  return configs.map((c) => {
    const list = runs.get(c.key)!;
    return {
      config: c,
      growth: median(list.map((f) => f.rssGrowthMiB)),
      peak: median(list.map((f) => f.rssPeakMiB)),
      seconds: median(list.map((f) => f.seconds)),
      spread: `${Math.min(...list.map((f) => f.rssGrowthMiB)).toFixed(0)}–${Math.max(...list.map((f) => f.rssGrowthMiB)).toFixed(0)} MiB`,
    };
  });
}

export async function runDecodeBench(): Promise<DecodeRow[]> {
  const count = Math.round(envNumber("BENCH_DECODE_COUNT", 10));
  const reps = Math.round(envNumber("BENCH_DECODE_REPS", 3));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-decode-"));
  const rows: DecodeRow[] = [];
  try {
    // The worst case within the default pixel limit: 100 megapixels that compress to a few hundred KiB.
    const png = path.join(dir, "worst.png");
    fs.writeFileSync(png, await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: "#3366aa" } }).png({ compressionLevel: 9 }).toBuffer());
    // Many bytes instead: sharp buffers a whole upload before decoding it.
    const jpeg = path.join(dir, "noise.jpg");
    const [w, h] = [3100, 2320];
    fs.writeFileSync(jpeg, await sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toBuffer());

    const none: Config = { key: "none", label: `no queue (ANALYZE_CONCURRENCY=${count})`, env: { ANALYZE_CONCURRENCY: String(count) } };
    const q1: Config = { key: "q1", label: "queue, ANALYZE_CONCURRENCY=1", env: { ANALYZE_CONCURRENCY: "1" } };
    const q2: Config = { key: "q2", label: "queue, ANALYZE_CONCURRENCY=2 (default)", env: { ANALYZE_CONCURRENCY: "2" } };
    const q2arena: Config = { key: "q2_arena2", label: "queue 2 + MALLOC_ARENA_MAX=2", env: { ANALYZE_CONCURRENCY: "2", MALLOC_ARENA_MAX: "2" } };
    const noneArena: Config = { key: "none_arena2", label: "no queue + MALLOC_ARENA_MAX=2", env: { ANALYZE_CONCURRENCY: String(count), MALLOC_ARENA_MAX: "2" } };

    const cases = [
      { key: "png", file: png, mime: "image/png", what: `${count} × 10000×10000 PNG (${(fs.statSync(png).size / 1024).toFixed(0)} KiB)`, configs: [none, q1, q2, q2arena, noneArena] },
      { key: "jpeg", file: jpeg, mime: "image/jpeg", what: `${count} × 3100×2320 noise JPEG (${(fs.statSync(jpeg).size / MiB).toFixed(1)} MiB)`, configs: [none, q1, q2] },
    ];
    for (const c of cases) {
      const results = await measure({ file: c.file, mime: c.mime, count, reps, configs: c.configs });
      const base = results.find((r) => r.config.key === "none")!;
      for (const r of results) {
        rows.push({
          key: `${c.key}_${r.config.key}_growth`,
          label: `${c.what}, ${r.config.label}: peak RSS growth`,
          unit: "MiB",
          value: r.growth,
          note: `peak ${r.peak.toFixed(0)} MiB; ${reps} runs ${r.spread}`,
        });
        rows.push({
          key: `${c.key}_${r.config.key}_seconds`,
          label: `${c.what}, ${r.config.label}: time for all`,
          unit: "s",
          value: r.seconds,
          note: r === base ? undefined : `${(r.seconds / base.seconds).toFixed(2)}× the no-queue time`,
        });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
