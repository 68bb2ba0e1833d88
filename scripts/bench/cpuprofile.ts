// Summarises V8 .cpuprofile files (from `node --cpu-prof`, or BENCH_CPU_PROF=1 npm run bench):
// self time by function and by where the code lives (app, next, mongodb, node internals, ...),
// so "where the time went" can be read without a flame-graph viewer.
//
//   node --import tsx scripts/bench/cpuprofile.ts <file.cpuprofile>... [--top 25]
import fs from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "native";
  if (url.includes("/node_modules/next/")) return "next";
  if (url.includes("/node_modules/mongodb/") || url.includes("/node_modules/bson/")) return "mongodb+bson";
  if (url.includes("/node_modules/sharp/")) return "sharp";
  if (url.includes("/node_modules/")) return url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, "$1");
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0];
  if (/\/(lib|app|scripts)\//.test(url) || url.includes("/.next/server/")) return "app";
  return "other";
}

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = (p.endTime - p.startTime) / 1000;
  const fnTimes = new Map<string, number>();
  const areaTimes = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || "(anonymous)"} ${url ? `${url.replace(/.*\/(node_modules\/)?/, "")}:${lineNumber + 1}` : ""}`.trim();
    fnTimes.set(key, (fnTimes.get(key) ?? 0) + us / 1000);
    const a = area(url, functionName);
    areaTimes.set(a, (areaTimes.get(a) ?? 0) + us / 1000);
  }
  const busy = [...areaTimes].filter(([a]) => a !== "(idle)").reduce((s, [, ms]) => s + ms, 0);
  const fmt = (ms: number) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
  const lines = [`${file}: ${total.toFixed(0)} ms profiled, ${busy.toFixed(0)} ms busy (not idle)`, "  by area (self time, % of busy):"];
  for (const [a, ms] of [...areaTimes].filter(([k]) => k !== "(idle)").sort((x, y) => y[1] - x[1])) lines.push(`    ${fmt(ms)}  ${a}`);
  lines.push(`  top ${top} functions (self time):`);
  for (const [k, ms] of [...fnTimes].filter(([k]) => !k.startsWith("(idle)")).sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`    ${fmt(ms)}  ${k}`);
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  for (const f of args) console.log(summarise(f, top) + "\n");
}
