// One measurement of scripts/bench/decode.ts, in a fresh process so that its peak
// RSS is its own: analyses BENCH_DECODE_COUNT copies of one image, all started at
// once through analyzeImage (so lib/decode-queue, sized by ANALYZE_CONCURRENCY,
// decides how many decode together), and prints one JSON line.
import fs from "node:fs";
import { Readable } from "node:stream";

import sharp from "sharp";

import { analyzeImage } from "@/lib/analyze";

import { MiB } from "./util";

const file = process.env.BENCH_DECODE_FILE;
if (!file) throw new Error("BENCH_DECODE_FILE is not set (run `npm run bench`, not this file)");
const count = Number(process.env.BENCH_DECODE_COUNT ?? 10);
const mime = process.env.BENCH_DECODE_MIME ?? "image/png";
const bytes = fs.readFileSync(file);

/** The image in 64 KiB pieces, as completeUpload's decryption hands it over. */
async function* pieces(): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
}

// Load sharp, libvips and the code paths before the baseline with a small image of the
// same type, as in a running server; a big one would leave its memory behind in it.
const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#808080" } })
  .toFormat(mime === "image/png" ? "png" : "jpeg")
  .toBuffer();
await analyzeImage({ source: Readable.from([small]), mime });
global.gc?.();
const rssStart = process.memoryUsage().rss;
let sampledPeak = rssStart;
const timer = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 20);
const t0 = performance.now();
await Promise.all(Array.from({ length: count }, () => analyzeImage({ source: pieces(), mime })));
const seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
// The kernel's high-water mark (KiB): the true peak, not a sample.
const peak = Math.max(process.resourceUsage().maxRSS * 1024, sampledPeak);
process.stdout.write(
  `${JSON.stringify({ seconds, rssStartMiB: rssStart / MiB, rssPeakMiB: peak / MiB, rssGrowthMiB: (peak - rssStart) / MiB })}\n`,
);
