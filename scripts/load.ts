// npm run load: N virtual users for T seconds against the app over loopback HTTP,
// then a table of p50/p95/p99 per operation, the error count, and the server's RSS
// over time with its slope. Bounded: it stops by itself, and it refuses any host
// that is not loopback.
//
//   npm run load                              starts its own `next start` (this build) on a
//                                             throwaway database (profile "load") and drives it
//   npm run load -- --users 20 --seconds 600  the 10-minute soak
//   npm run load -- --url http://127.0.0.1:3000 --pid 1234
//                                             an instance you started (start it with
//                                             REGISTRATIONS_PER_HOUR=1000: each virtual user registers)
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { packIds } from "@/lib/selection-wire";

import { callServerAction, freePort, serverActionId, signIn } from "./bench/http";
import { noiseJpeg, taggedJpeg } from "./bench/noise";
import { percentile } from "./bench/util";

type Options = { url?: string; users: number; seconds: number; pid?: number };

function parseArgs(argv: string[]): Options {
  const opts: Options = { users: 20, seconds: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? "";
    if (a === "--url") opts.url = next();
    else if (a === "--users") opts.users = Number(next());
    else if (a === "--seconds") opts.seconds = Number(next());
    else if (a === "--pid") opts.pid = Number(next());
    else throw new Error(`load: unknown option ${a} (see the header of scripts/load.ts)`);
  }
  if (!(opts.users >= 1 && opts.users <= 500)) throw new Error("--users is 1..500");
  if (!(opts.seconds >= 5 && opts.seconds <= 3600)) throw new Error("--seconds is 5..3600");
  if (opts.url) {
    const host = new URL(opts.url).hostname;
    if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) throw new Error("load: loopback only (127.0.0.1, localhost, ::1)");
  }
  return opts;
}

const root = process.cwd();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's pid from the port it listens on: /proc/net/tcp's socket inode, then whose fd holds it. */
function pidByPort(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === "0A" && parseInt(f[1].split(":").pop()!, 16) === port) inodes.add(f[9]);
    }
  }
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      }
    } catch {
      /* gone or not ours */
    }
  }
  return undefined;
}

function rssMib(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function startServer(): Promise<{ url: string; pid: number; stop: () => void }> {
  if (!process.env.MONGODB_URI) throw new Error("load: run through `npm run load` (scripts/with-db.mjs), or pass --url");
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) throw new Error("load: no build; run `npm run build` first");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, AUTH_URL: url, AUTH_TRUST_HOST: "true", NODE_ENV: "production", REGISTRATIONS_PER_HOUR: "100000" };
  delete env.NODE_OPTIONS;
  const logFile = path.join(root, ".data", "load-server.log");
  const out = fs.openSync(logFile, "w");
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    env,
    stdio: ["ignore", out, out],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
  };
  process.on("exit", stop);
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${url}/login`);
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      /* not yet */
    }
    if (child.exitCode !== null || i > 300) throw new Error(`next start failed; see ${logFile}`);
    await sleep(200);
  }
  return { url, pid: child.pid!, stop };
}

type ActionState<T> = { status: "success"; data: T } | { status: "error"; code: string; message: string };

class VirtualUser {
  cookie = "";
  images: string[] = [];
  constructor(
    readonly url: string,
    readonly username: string,
    readonly password: string,
    readonly ids: Record<string, string>,
  ) {}

  async action<T>(name: string, input: unknown): Promise<T> {
    const r = await callServerAction<ActionState<T>>({ baseUrl: this.url, cookie: this.cookie, actionId: this.ids[name], input });
    if (r.status !== "success") throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.data;
  }

  async get(pathname: string): Promise<number> {
    const res = await fetch(`${this.url}${pathname}`, { headers: { cookie: this.cookie }, signal: AbortSignal.timeout(60_000) });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${pathname.replace(/[0-9a-f-]{36}/, ":id")}: ${res.status}`);
    return body.byteLength;
  }

  async register() {
    const res = await fetch(`${this.url}/register`, {
      method: "POST",
      redirect: "manual",
      headers: { "next-action": this.ids.registerAction, accept: "text/x-component", "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(["$undefined", { username: this.username, displayName: "Load", password: this.password, confirmPassword: this.password }]),
    });
    const text = await res.text();
    if (res.status >= 400 || /"status":"error"/.test(text)) throw new Error(`register: ${res.status} ${text.slice(0, 200)}`);
  }

  async signIn() {
    this.cookie = await signIn({ baseUrl: this.url, username: this.username, password: this.password });
  }

  async upload(bytes: Buffer) {
    const begun = await this.action<{ uploadId: string; partSize: number; partCount: number }>("beginUploadAction", {
      name: "load.jpg",
      size: bytes.length,
      head: bytes.subarray(0, 4096).toString("base64"),
    });
    for (let i = 0; i < begun.partCount; i++) {
      const part = bytes.subarray(i * begun.partSize, (i + 1) * begun.partSize);
      const res = await fetch(`${this.url}/api/uploads/${begun.uploadId}/parts/${i}`, {
        method: "PUT",
        headers: { cookie: this.cookie, "content-type": "application/octet-stream" },
        body: new Uint8Array(part.buffer as ArrayBuffer, part.byteOffset, part.byteLength),
        signal: AbortSignal.timeout(60_000),
      });
      await res.arrayBuffer();
      if (res.status !== 204) throw new Error(`PUT part: ${res.status}`);
    }
    const item = await this.action<{ id: string }>("completeUploadAction", { uploadId: begun.uploadId });
    this.images.push(item.id);
  }

  pick(): string | undefined {
    return this.images[Math.floor(Math.random() * this.images.length)];
  }
}

const OPS = ["list", "thumb", "upload", "trash+restore", "zip", "sign-in"] as const;
type Op = (typeof OPS)[number];
// A browsing-heavy mix: mostly listing and thumbnails, some uploads, the rest rarer.
const WEIGHTS: Record<Op, number> = { list: 30, thumb: 40, upload: 10, "trash+restore": 8, zip: 6, "sign-in": 6 };

function pickOp(): Op {
  let r = Math.random() * OPS.reduce((s, o) => s + WEIGHTS[o], 0);
  for (const op of OPS) {
    r -= WEIGHTS[op];
    if (r <= 0) return op;
  }
  return "list";
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const own = opts.url ? null : await startServer();
  const url = opts.url ?? own!.url;
  const pid = opts.pid ?? own?.pid ?? pidByPort(Number(new URL(url).port || 80));
  const ids: Record<string, string> = {};
  for (const [name, file] of [
    ["beginUploadAction", "app/(gallery)/actions.ts"],
    ["completeUploadAction", "app/(gallery)/actions.ts"],
    ["trashImagesAction", "app/(gallery)/actions.ts"],
    ["restoreImagesAction", "app/(gallery)/actions.ts"],
    ["createZipDownloadAction", "app/(gallery)/actions.ts"],
    ["registerAction", "app/(auth)/actions.ts"],
  ]) {
    ids[name] = serverActionId({ appDir: root, name, file });
  }

  // Small distinct photos (~256 KiB): the upload path, not the disk, is what is measured.
  const base = await noiseJpeg({ width: 320, height: 280 });
  const photo = () => taggedJpeg(base, randomBytes(8).toString("hex"));

  console.log(`load: ${opts.users} virtual users for ${opts.seconds} s against ${url}${pid ? ` (server pid ${pid})` : " (server pid unknown: no RSS)"}`);
  const run = randomBytes(3).toString("hex");
  const users = Array.from({ length: opts.users }, (_, i) => new VirtualUser(url, `load_${run}_${i}`, "load-password-1234", ids));
  for (const u of users) {
    await u.register();
    await u.signIn();
    for (let i = 0; i < 3; i++) await u.upload(photo());
  }

  const samples = new Map<Op, number[]>(OPS.map((o) => [o, []]));
  const errors: string[] = [];
  const rss: { t: number; mib: number }[] = [];
  const t0 = Date.now();
  const end = t0 + opts.seconds * 1000;
  const sampleRss = () => {
    if (pid) rss.push({ t: (Date.now() - t0) / 1000, mib: rssMib(pid) });
  };
  sampleRss();
  const rssTimer = setInterval(sampleRss, Math.max(1000, (opts.seconds * 1000) / 60));

  await Promise.all(
    users.map(async (u) => {
      while (Date.now() < end) {
        const op = pickOp();
        const started = performance.now();
        try {
          switch (op) {
            case "list":
              await u.get("/api/images");
              break;
            case "thumb":
              await u.get(`/api/images/${u.pick()}/thumb`);
              break;
            case "upload":
              await u.upload(photo());
              break;
            case "trash+restore": {
              const selection = { ids: packIds([u.pick()!]) };
              await u.action("trashImagesAction", { selection });
              await u.action("restoreImagesAction", { selection });
              break;
            }
            case "zip": {
              const some = [...new Set([u.pick()!, u.pick()!, u.pick()!])];
              const { url: link } = await u.action<{ url: string }>("createZipDownloadAction", { selection: { ids: packIds(some) } });
              await u.get(link);
              break;
            }
            case "sign-in":
              await u.signIn();
              break;
          }
          samples.get(op)!.push(performance.now() - started);
        } catch (err) {
          errors.push(`${op}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }),
  );
  clearInterval(rssTimer);
  sampleRss();

  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "–");
  console.log("\n| operation | count | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|");
  for (const op of OPS) {
    const s = samples.get(op)!;
    console.log(`| ${op} | ${s.length} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 95))} | ${fmt(percentile(s, 99))} |`);
  }
  const total = [...samples.values()].reduce((n, s) => n + s.length, 0);
  console.log(`\n${total} operations in ${opts.seconds} s (${(total / opts.seconds).toFixed(1)}/s), errors: ${errors.length}`);
  for (const e of [...new Set(errors)].slice(0, 10)) console.log(`  error: ${e}`);
  if (rss.length) {
    console.log(`\nserver RSS (MiB) over time: ${rss.map((r) => `${r.t.toFixed(0)}s ${r.mib.toFixed(0)}`).join(", ")}`);
    // The first fifth is warm-up (code paths loading, caches filling); the slope is taken after it.
    const steady = rss.filter((r) => r.t >= opts.seconds / 5).map((r) => ({ x: r.t / 60, y: r.mib }));
    console.log(`RSS slope after warm-up: ${slope(steady).toFixed(2)} MiB/min (first ${rss[0].mib.toFixed(0)} MiB, last ${rss[rss.length - 1].mib.toFixed(0)} MiB, max ${Math.max(...rss.map((r) => r.mib)).toFixed(0)} MiB)`);
    // A leak keeps its slope to the end; warm-up (JIT, caches, the analysis workers' wasm heaps
    // growing to their high-water mark) flattens out. The second half tells the two apart.
    const halves = [0, 1].map((h) => rss.filter((r) => (h === 0 ? r.t < opts.seconds / 2 : r.t >= opts.seconds / 2)).map((r) => ({ x: r.t / 60, y: r.mib })));
    const mean = (list: { y: number }[]) => list.reduce((sum, p) => sum + p.y, 0) / Math.max(1, list.length);
    console.log(`RSS slope over the second half: ${slope(halves[1]).toFixed(2)} MiB/min; mean first half ${mean(halves[0]).toFixed(0)} MiB, second half ${mean(halves[1]).toFixed(0)} MiB`);
  }
  own?.stop();
  process.exit(errors.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
