// npm run bench: performance figures as ratios measured side by side in one run,
// on each embedded database engine (DESIGN.md §7). Timings never go into tests.
//
// For each engine this starts a fresh database through scripts/with-db.mjs
// (--profile bench, data in .data/bench-<engine>/, removed first) and runs
// scripts/bench/worker.ts inside it; the worker starts the real app
// (`next start` of a private build in .data/bench-app/) where a section needs
// HTTP. Results: tables on stdout, JSON in bench-results/latest.json.
//
// Environment (all optional):
//   BENCH_ENGINES=sqlite,postgresql  engines to run, in order
//   BENCH_SECTIONS=accounts,transfer,refusal,analyze,decode,reads,zip,library,concurrency,share,analysis  (default: all; analyze and decode run on the first engine only)
//   BENCH_SHARE_ALBUM=1000, BENCH_SHARE_REPS=15, BENCH_SHARE_ZIP_IMAGES=16, BENCH_SHARE_ZIP_MIB=128   the share section
//   BENCH_DECODE_COUNT=10, BENCH_DECODE_REPS=3   parallel images and repetitions of the decode section
//   BENCH_SCALE=1            multiplies the zip size (default 16 images, 64 MiB)
//   BENCH_ZIP_IMAGES, BENCH_ZIP_MIB    zip size directly (e.g. 500 and 2048 for the 2 GiB run)
//   BENCH_ZIP_RAW_MAX        read at most this many originals for the raw GridFS baseline
//   BENCH_TRANSFER_MIB=20, BENCH_TRANSFER_REPS=5   the HTTP upload/download file and repetitions
//   BENCH_CPU_PROF=1         V8 CPU profile of the app server during the transfer section (bench-results/profiles/)
//   BENCH_CONC_UPLOADERS=20, BENCH_CONC_IMAGES=10, BENCH_CONC_MB=4   the concurrency section
//   BENCH_READ_COUNTS=10,100,1000   gallery sizes for the read/list figures
//   BENCH_SAMPLE_BUDGET_MS=8000     per-measurement time cap once 3 samples exist
//   BENCH_ENGINE_TIMEOUT_S=900      stop an engine's run after this long
//   BENCH_PG_GIN=0           skip the GIN-index experiment on PostgreSQL
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { log } from "./bench/util";
import type { Row } from "./bench/worker";

const root = process.cwd();
const dataRoot = path.join(root, ".data");
const resultsDir = path.join(root, "bench-results");
const appDir = path.join(dataRoot, "bench-app");
const PG_VERSIONS = ["17", "16", "15"]; // the ones scripts/with-db.mjs looks for

type EngineResult = {
  engine: string;
  rows: Row[];
  notes: string[];
  errors: Record<string, string>;
  sectionSeconds: Record<string, number>;
  loadAverages: Record<string, number[]>;
  totalSeconds: number;
};

const notes: string[] = [];
let current: ChildProcess | null = null;
let interrupted = false;

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    interrupted = true;
    log(`${sig}: stopping the current run (its database and app server stop with it)...`);
    if (current && current.exitCode === null) current.kill("SIGTERM");
    else process.exit(130);
  });
}

// ---------------------------------------------------------------- the app build

/** Files of the working tree the app build needs (tracked and untracked, not ignored). */
function appSources(): string[] {
  const r = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout
    .split("\0")
    .filter(Boolean)
    .filter((f) => fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).isFile())
    // No lockfile: Turbopack then takes /work/main as the workspace root and finds node_modules there.
    .filter((f) => !/(^|\/)package-lock\.json$|\.test\.tsx?$|^e2e\/|^scripts\/|^\.ci\/|\.md$|^playwright\.config|^vitest\.config/.test(f))
    .sort();
}

/**
 * A private `next build` of a snapshot of the working tree, in .data/bench-app:
 * colleagues' builds and edits in .next cannot change the server under the
 * bench, nor the bench theirs. Rebuilt only when the sources changed.
 */
function prepareApp(): string | null {
  const files = appSources();
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update("\0").update(fs.readFileSync(path.join(root, f))).update("\0");
  const digest = hash.digest("hex");
  const stamp = path.join(appDir, ".source-hash");
  if (fs.existsSync(path.join(appDir, ".next", "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === digest) {
    log("app build: reusing .data/bench-app (sources unchanged)");
    return appDir;
  }
  fs.mkdirSync(appDir, { recursive: true });
  // Keep .next (its cache makes rebuilds faster); everything else is copied afresh.
  for (const entry of fs.readdirSync(appDir)) if (entry !== ".next") fs.rmSync(path.join(appDir, entry), { recursive: true, force: true });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(appDir, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(appDir, f));
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  const logFile = path.join(resultsDir, "next-build.log");
  log(`app build: next build of the working tree in .data/bench-app (about a minute; log: ${path.relative(root, logFile)})`);
  const out = fs.openSync(logFile, "w");
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: appDir,
    env,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  if (r.status === 0 && fs.existsSync(path.join(appDir, ".next", "BUILD_ID"))) {
    fs.writeFileSync(stamp, digest);
    return appDir;
  }
  if (fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    notes.push(`next build of the working tree failed (see ${path.relative(root, logFile)}); the HTTP figures used the existing .next build instead`);
    return root;
  }
  notes.push(`next build failed (see ${path.relative(root, logFile)}) and there is no .next build: the HTTP transfer section was skipped`);
  return null;
}

// ---------------------------------------------------------------- engines

function findInitdb(): string | null {
  for (const v of PG_VERSIONS) {
    const p = `/usr/lib/postgresql/${v}/bin/initdb`;
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Debian's postgresql for the postgresql engine; installed when we are root, else the engine is skipped. */
function ensurePostgres(): boolean {
  if (findInitdb()) return true;
  const other = fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql") : [];
  if (other.length) {
    notes.push(`postgresql engine skipped: scripts/with-db.mjs looks for PostgreSQL ${PG_VERSIONS.join("/")}, found ${other.join(", ")}`);
    return false;
  }
  if (process.getuid?.() !== 0) {
    notes.push("postgresql engine skipped: Debian's postgresql is not installed (as root: apt-get install -y postgresql)");
    return false;
  }
  log("installing Debian's postgresql for the postgresql engine (apt-get install -y postgresql)...");
  const r = spawnSync("apt-get", ["install", "-y", "postgresql"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0 || !findInitdb()) {
    notes.push("postgresql engine skipped: apt-get install -y postgresql failed");
    return false;
  }
  return true;
}

/**
 * Workaround for scripts/with-db.mjs startPostgres when run as root: it runs
 * initdb and postgres as the `postgres` user inside .data/, but .data/ is
 * created 0700 root (loadDevSecrets), so initdb fails with "could not access
 * directory .../pg: Permission denied". Granting search (x, not read) to
 * others on .data/ for the run lets postgres reach its own directory; the
 * original mode is put back afterwards. secrets.json itself stays 0600.
 */
function openDataDirForPostgres(): () => void {
  if (process.getuid?.() !== 0 || !fs.existsSync(dataRoot)) return () => {};
  const mode = fs.statSync(dataRoot).mode & 0o777;
  if (mode & 0o001) return () => {};
  fs.chmodSync(dataRoot, mode | 0o001);
  return () => fs.chmodSync(dataRoot, mode);
}

async function runEngine(engine: string, sections: string[], app: string | null): Promise<EngineResult | null> {
  const dir = path.join(dataRoot, `bench-${engine}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dataRoot, { recursive: true, mode: 0o700 });
  const out = path.join(os.tmpdir(), `bench-${process.pid}-${engine}.json`);
  fs.rmSync(out, { force: true });
  const restore = engine === "postgresql" ? openDataDirForPostgres() : () => {};
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_OUT: out,
    BENCH_SECTIONS: sections.join(","),
    BENCH_APP_DIR: app ?? "",
  };
  // with-db starts the embedded database only when MONGODB_URI is unset.
  delete env.MONGODB_URI;
  delete env.MONGODB_DB;
  delete env.NODE_OPTIONS;
  if (!app) env.BENCH_SECTIONS = sections.filter((s) => !["transfer", "concurrency", "refusal", "share", "analysis"].includes(s)).join(",");
  const timeoutS = Number(process.env.BENCH_ENGINE_TIMEOUT_S || 900);
  const started = Date.now();
  try {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          path.join(root, "scripts", "with-db.mjs"),
          "--profile",
          "bench",
          "--engine",
          engine,
          "--",
          process.execPath,
          "--conditions=react-server",
          "--import",
          "tsx",
          path.join(root, "scripts", "bench", "worker.ts"),
        ],
        { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
      );
      current = child;
      const timer = setTimeout(() => {
        notes.push(`${engine}: stopped after ${timeoutS} s (BENCH_ENGINE_TIMEOUT_S); figures are partial`);
        log(`${engine}: timed out after ${timeoutS} s, stopping`);
        child.kill("SIGTERM");
      }, timeoutS * 1000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        current = null;
        resolve(c);
      });
    });
    log(`${engine}: finished in ${((Date.now() - started) / 1000).toFixed(0)} s (exit ${code})`);
    if (!fs.existsSync(out)) {
      notes.push(`${engine}: the run produced no results (exit ${code}); see the output above`);
      return null;
    }
    const result = JSON.parse(fs.readFileSync(out, "utf8")) as EngineResult;
    fs.rmSync(out, { force: true });
    return result;
  } finally {
    restore();
  }
}

// ---------------------------------------------------------------- report

const SECTION_TITLES: Record<string, string> = {
  accounts: "1. Accounts: Argon2id and sign-in (lib/passwords, lib/users authenticate)",
  transfer: "2. Encrypted upload/download through the app's HTTP path vs raw GridFS (same database)",
  analyze: "3. Thumbnail work per image (lib/analyze analyzeImage)",
  analysis: "3c. Characteristics: models, per-image analysis, upload→labels, search vs library size, uploads while analysing",
  decode: "3b. Images analysed in parallel, with and without the decode queue (lib/decode-queue), peak RSS of a fresh process",
  reads: "4. Reading one image and listing, by collection size (in-process, lib/images)",
  gallery: "5. The gallery by collection size (listImages first page and cursor walk)",
  zip: "6. Zip download (lib/downloads) vs raw GridFS reads, with peak RSS",
  library: "7. A real photo library: per-request costs by library size, beside a second owner (lib/images, lib/library)",
  refusal: "2b. Files that are not images: time to refusal vs a 1×1 JPEG's time to done, over HTTP",
  concurrency: "8. Many uploaders at once over HTTP vs one alone (same server, same run), then every image checked",
  share: "9. Share links: the public page vs the owner's gallery, and a share's zip vs the owner's zip (lib/share-visitors, lib/downloads)",
};

function fmt(value: number | string | null | undefined, unit: string): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return String(value);
  if (unit === "×") return `${value.toFixed(value < 10 ? 2 : 1)}×`;
  if (unit === "count") return String(Math.round(value));
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function table(headers: string[], lines: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [row(headers), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(row)].join("\n");
}

function report(results: Record<string, EngineResult>): string {
  const engines = Object.keys(results);
  const out: string[] = [];
  // One note when the engines agree, else each engine's own.
  const noteOf = (section: string, key: string) => {
    const per = engines.map((e) => [e, results[e].rows.find((r) => r.section === section && r.key === key)?.note] as const).filter(([, n]) => n);
    const distinct = new Set(per.map(([, n]) => n));
    return distinct.size <= 1 ? (per[0]?.[1] ?? "") : per.map(([e, n]) => `${e}: ${n}`).join("; ");
  };
  for (const section of Object.keys(SECTION_TITLES)) {
    const keys: { key: string; label: string; unit: string; note?: string }[] = [];
    for (const e of engines) {
      for (const r of results[e].rows) {
        if (r.section === section && !keys.some((k) => k.key === r.key)) keys.push({ key: r.key, label: r.label, unit: r.unit, note: r.note });
      }
    }
    if (keys.length === 0) continue;
    out.push("", SECTION_TITLES[section]);
    const lines = keys.map((k) => [
      k.label,
      k.unit,
      ...engines.map((e) => fmt(results[e].rows.find((r) => r.section === section && r.key === k.key)?.value, k.unit)),
      noteOf(section, k.key),
    ]);
    out.push(table(["measurement", "unit", ...engines.map((e) => results[e].engine), "notes"], lines));
  }
  if (engines.includes("sqlite") && engines.includes("postgresql")) {
    const pick = (e: string, s: string, k: string) => results[e].rows.find((r) => r.section === s && r.key === k)?.value;
    const cmp = [
      ["transfer", "up_parts", "upload (app, parts over HTTP)", "higher is better"],
      ["transfer", "down_http", "download (app, HTTP)", "higher is better"],
      ["reads", "thumb_1000", "thumbnail read, 1,000 images", "lower is better"],
      ["reads", "list10_1000", "listImages (10), 1,000 images", "lower is better"],
      ["gallery", "walk_1000", "gallery walk, 1,000 images", "lower is better"],
      ["zip", "zip_rate", "zip throughput", "higher is better"],
      ["zip", "thumb_ms", "thumbnail read next to the zip's originals", "lower is better"],
    ];
    const lines = cmp.flatMap(([s, k, label, better]) => {
      const a = pick("sqlite", s, k);
      const b = pick("postgresql", s, k);
      return typeof a === "number" && typeof b === "number" ? [[label, fmt(b / a, "×"), better]] : [];
    });
    if (lines.length) out.push("", "Engines side by side (postgresql / sqlite)", table(["measurement", "ratio", "note"], lines));
  }
  return out.join("\n");
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",").map((s) => s.trim()).filter(Boolean);
  for (const e of engines) if (!["sqlite", "postgresql"].includes(e)) throw new Error(`BENCH_ENGINES: unknown engine ${e}`);
  const allSections = (process.env.BENCH_SECTIONS ?? "accounts,transfer,refusal,analyze,decode,reads,zip,library,concurrency,share,analysis").split(",").map((s) => s.trim()).filter(Boolean);
  if (process.env.MONGODB_URI) {
    log("MONGODB_URI is set but ignored: the bench starts its own embedded databases (FerretDB) for each engine.");
  }
  const app = ["transfer", "concurrency", "refusal", "share", "analysis"].some((s) => allSections.includes(s)) ? prepareApp() : null;

  const results: Record<string, EngineResult> = {};
  let first = true;
  for (const engine of engines) {
    if (interrupted) break;
    if (engine === "postgresql" && !ensurePostgres()) continue;
    // analyze and decode are CPU-only and engine-independent: once is enough.
    const sections = first || process.env.BENCH_SECTIONS ? allSections : allSections.filter((s) => s !== "analyze" && s !== "decode");
    log(`=== ${engine}: ${sections.join(", ")}`);
    const r = await runEngine(engine, sections, app);
    first = false;
    if (!r) continue;
    results[engine] = r;
    for (const [section, err] of Object.entries(r.errors)) notes.push(`${engine}: section ${section} failed: ${err.split("\n")[0]}`);
    notes.push(...r.notes.map((n) => `${engine}: ${n}`));
  }

  const cpus = os.cpus();
  const header = [
    `Image Vault bench, ${new Date().toISOString()}`,
    `machine: ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    `engines: ${Object.values(results).map((r) => `${r.engine} (FerretDB v1.24.2)`).join(", ") || "none"}; BENCH_SCALE=${process.env.BENCH_SCALE ?? 1}`,
    `load average (1 min) at the end: ${os.loadavg()[0].toFixed(2)}; run time ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  ];
  const text = [...header, report(results), ...(notes.length ? ["", "Notes:", ...notes.map((n) => `- ${n}`)] : [])].join("\n");
  console.log(`\n${text}\n`);

  fs.mkdirSync(resultsDir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    machine: { cpus: cpus.length, model: cpus[0]?.model, memGiB: os.totalmem() / 2 ** 30, node: process.version, os: `${os.type()} ${os.release()}` },
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_"))),
    engines: results,
    notes,
    seconds: (Date.now() - t0) / 1000,
  };
  fs.writeFileSync(path.join(resultsDir, "latest.json"), JSON.stringify(json, null, 2) + "\n");
  fs.writeFileSync(path.join(resultsDir, "latest.txt"), text + "\n");
  log(`results in ${path.relative(root, path.join(resultsDir, "latest.json"))} (and latest.txt)`);
  if (interrupted) process.exit(130);
  if (Object.keys(results).length === 0) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
