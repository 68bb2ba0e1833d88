// The fault tests' tools: the embedded database's FerretDB process (found by its socket,
// so a test can SIGSTOP, SIGKILL and restart it on the same PostgreSQL data), real
// `next start` servers of the one build, and checks of the storage invariants.
// Runs under scripts/with-db.mjs (npm run test:faults), which provides MONGODB_URI.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import type { Db, ObjectId } from "mongodb";

import { callServerAction, serverActionId, signIn } from "../bench/http";

export const root = path.resolve(import.meta.dirname, "../..");
export const MiB = 1024 * 1024;

/** A size from the environment (CI may scale the sizes down), in MiB. */
export function envMib(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? "");
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Each test file works in its own database, shared by its servers and its own lib calls. */
export function ownDatabase(label: string): string {
  const name = `faults_${label}_${randomBytes(4).toString("hex")}`;
  process.env.MONGODB_DB = name;
  return name;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------- the database process

/** The socket path named in MONGODB_URI (with-db's embedded FerretDB), or null for an external database. */
function ferretSocket(): string | null {
  const uri = process.env.MONGODB_URI ?? "";
  const m = /^mongodb:\/\/([^/]+\.sock)\//.exec(uri);
  return m ? decodeURIComponent(m[1]) : null;
}

export const embeddedDb = () => ferretSocket() !== null && process.env.EMBEDDED_DB_ENGINE === "ferretdb-postgresql";

/**
 * The embedded FerretDB: stopped (SIGSTOP: a hung database), continued, killed
 * (SIGKILL: a crash) and restarted with the same command line and environment,
 * on the same PostgreSQL data. scripts/with-db.mjs still stops PostgreSQL at the end;
 * a FerretDB we restarted is ours to stop (`shutdown`).
 */
export class Ferret {
  private argv: string[];
  private env: NodeJS.ProcessEnv;
  private child: ChildProcess | null = null;
  private constructor(
    private pid: number,
    private readonly socketPath: string,
  ) {
    this.argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    // Its environment carries the PostgreSQL URL it was given; passed on unchanged, never logged.
    this.env = <NodeJS.ProcessEnv>Object.fromEntries(
      fs
        .readFileSync(`/proc/${pid}/environ`, "utf8")
        .split("\0")
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
  }

  static find(): Ferret {
    const socketPath = ferretSocket();
    if (!socketPath) throw new Error("no embedded FerretDB (MONGODB_URI is not with-db's socket)");
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
        if (cmd.includes(`--listen-unix=${socketPath}\0`)) return new Ferret(Number(entry), socketPath);
      } catch {
        /* gone, or not ours */
      }
    }
    throw new Error(`no FerretDB process listens on ${socketPath}`);
  }

  pause() {
    process.kill(this.pid, "SIGSTOP");
  }

  resume() {
    process.kill(this.pid, "SIGCONT");
  }

  async kill() {
    process.kill(this.pid, "SIGKILL");
    await waitFor("FerretDB to die", () => !fs.existsSync(`/proc/${this.pid}`) || /^State:\s+Z/m.test(readStatus(this.pid)), 10_000);
  }

  async restart() {
    fs.rmSync(this.socketPath, { force: true });
    const logFd = fs.openSync(path.join(root, ".data", "faults-ferretdb-restarts.log"), "a");
    const child = spawn(this.argv[0], this.argv.slice(1), { env: this.env, stdio: ["ignore", logFd, logFd], detached: true });
    fs.closeSync(logFd);
    this.child = child;
    this.pid = child.pid!;
    await waitFor("FerretDB to listen again", () => canConnect(this.socketPath), 30_000);
  }

  /** Stops the FerretDB when a test restarted it (its parent is then not with-db); with-db stops its own one. */
  terminateIfRestarted() {
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readStatus(this.pid))?.[1] ?? 0);
    let parent = "";
    try {
      parent = fs.readFileSync(`/proc/${ppid}/cmdline`, "utf8");
    } catch {
      /* orphaned: reparented to init */
    }
    if (!parent.includes("with-db.mjs")) process.kill(this.pid, "SIGTERM");
  }
}

function readStatus(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return "State: Z";
  }
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: socketPath });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

// ---------------------------------------------------------------- app servers

export type App = {
  baseUrl: string;
  port: number;
  pid: number;
  /** Everything the server printed so far. */
  output: () => string;
  exited: Promise<number | null>;
  alive: () => boolean;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<App>();

let indexed: Promise<void> | undefined;

/**
 * The GIN indexes with-db makes for its own database, made for this file's one too:
 * without them every blob read on FerretDB/PostgreSQL scans every chunk, and a test
 * holding 500 MB would measure that instead of the fault.
 */
export function prepareDatabase(): Promise<void> {
  indexed ??= (async () => {
    if (!embeddedDb() || !process.env.EMBEDDED_PG_URL) return;
    const { ensureGinIndexes } = await import("../pg-gin-indexes.mjs");
    const psql = (sql: string) => spawnSync("psql", [process.env.EMBEDDED_PG_URL!, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { encoding: "utf8" });
    await ensureGinIndexes({ mongoUrl: process.env.MONGODB_URI!, dbName: process.env.MONGODB_DB!, psql, log: (m: string) => console.log(`[faults] ${m}`) });
  })();
  return indexed;
}

/**
 * `next start` of the one build (global setup), on loopback, against this file's
 * database, with `env` on top. `runAs` starts it as another user (runuser), for
 * the read-only checkout test. Resolves once it answers, or rejects with its output
 * when it exits first (a refused start).
 */
export async function startApp({
  env = {},
  port,
  runAs,
  waitReady = true,
}: { env?: Record<string, string>; port?: number; runAs?: string; waitReady?: boolean } = {}): Promise<App> {
  await prepareDatabase();
  const p = port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${p}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_URL: baseUrl,
    AUTH_TRUST_HOST: "true",
    NODE_ENV: "production",
    REGISTRATIONS_PER_HOUR: "1000",
    ...env,
  };
  delete childEnv.NODE_OPTIONS;
  delete childEnv.VITEST;
  delete childEnv.VITEST_WORKER_ID;
  delete childEnv.VITEST_POOL_ID;
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const cmd = [process.execPath, nextBin, "start", "-p", String(p), "-H", "127.0.0.1"];
  // runuser keeps the environment (no -l), so the secrets never go on a command line.
  const argv = runAs ? ["runuser", "-u", runAs, "--", ...cmd] : cmd;
  const child = spawn(argv[0], argv.slice(1), {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const app: App = {
    baseUrl,
    port: p,
    pid: child.pid!,
    output: () => out,
    exited,
    alive: () => !done,
    kill: async (signal = "SIGTERM") => {
      if (done) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* gone */
      }
      await Promise.race([exited, sleep(10_000)]);
      if (!done) process.kill(-child.pid!, "SIGKILL");
      await exited;
      running.delete(app);
    },
  };
  running.add(app);
  if (!waitReady) return app;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (done) throw new Error(`next start exited (code ${await exited}):\n${out}`);
    try {
      const res = await fetch(`${baseUrl}/login`, { redirect: "manual" });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer in 90 s:\n${out}`);
    await sleep(200);
  }
  return app;
}

export async function stopAllApps() {
  await Promise.all([...running].map((a) => a.kill()));
}

// ---------------------------------------------------------------- the app's protocol over HTTP

type ActionState<T> = { status: "success"; data: T } | { status: "error"; code: string; message: string };

const actionIds = new Map<string, string>();
function actionId(name: string, file: string) {
  const key = `${file}#${name}`;
  if (!actionIds.has(key)) actionIds.set(key, serverActionId({ appDir: root, name, file }));
  return actionIds.get(key)!;
}

/** A signed-in user speaking the browser's protocol to one server (or, with `on`, to another). */
export class Client {
  constructor(
    public baseUrl: string,
    readonly cookie: string,
  ) {}

  static async signIn(app: { baseUrl: string }, username: string, password: string) {
    return new Client(app.baseUrl, await signIn({ baseUrl: app.baseUrl, username, password }));
  }

  /** The same session against another server. */
  on(app: { baseUrl: string }): Client {
    return new Client(app.baseUrl, this.cookie);
  }

  action<T>(name: string, input: unknown, file = "app/(gallery)/actions.ts"): Promise<ActionState<T>> {
    return callServerAction<ActionState<T>>({ baseUrl: this.baseUrl, cookie: this.cookie, actionId: actionId(name, file), input });
  }

  async ok<T>(name: string, input: unknown): Promise<T> {
    const r = await this.action<T>(name, input);
    if (r.status !== "success") throw new Error(`${name}: ${r.code}: ${r.message}`);
    return r.data;
  }

  begin(name: string, bytes: Buffer) {
    return this.ok<{ uploadId: string; partSize: number; partCount: number }>("beginUploadAction", {
      name,
      size: bytes.length,
      head: bytes.subarray(0, 4096).toString("base64"),
    });
  }

  async putPart(uploadId: string, index: number, bytes: Buffer, timeoutMs = 120_000): Promise<{ status: number; body: string; ms: number }> {
    const t0 = Date.now();
    try {
      const res = await fetch(`${this.baseUrl}/api/uploads/${uploadId}/parts/${index}`, {
        method: "PUT",
        headers: { cookie: this.cookie, "content-type": "application/octet-stream" },
        body: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, body: await res.text(), ms: Date.now() - t0 };
    } catch (err) {
      return { status: 0, body: String(err), ms: Date.now() - t0 };
    }
  }

  partBytes(bytes: Buffer, partSize: number, index: number) {
    return bytes.subarray(index * partSize, Math.min(bytes.length, (index + 1) * partSize));
  }

  async upload(name: string, bytes: Buffer): Promise<{ id: string }> {
    const begun = await this.begin(name, bytes);
    for (let i = 0; i < begun.partCount; i++) {
      const r = await this.putPart(begun.uploadId, i, this.partBytes(bytes, begun.partSize, i));
      if (r.status !== 204) throw new Error(`part ${i}: ${r.status} ${r.body}`);
    }
    return this.ok<{ id: string }>("completeUploadAction", { uploadId: begun.uploadId });
  }

  get(pathname: string, init: RequestInit = {}) {
    return fetch(`${this.baseUrl}${pathname}`, { ...init, headers: { cookie: this.cookie, ...(init.headers ?? {}) } });
  }
}

export async function createAccount(label: string): Promise<{ username: string; password: string; id: string }> {
  const { createUser } = await import("@/lib/users");
  const username = `${label}_${randomBytes(3).toString("hex")}`;
  const password = "fault-password-1234";
  const user = await createUser({ username, displayName: label, password });
  return { username, password, id: user.id };
}

/** Reads a whole response body; a body cut short rejects (the stream errors). */
export async function readAll(res: Response): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash("sha256");
  const parts: Buffer[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    parts.push(Buffer.from(value));
  }
  return { bytes: Buffer.concat(parts), sha256: hash.digest("hex") };
}

export const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A noise JPEG (no codec shrinks it) of about `mib` MiB, cached per size for the run. */
export async function noiseImage(mib: number, tag = ""): Promise<Buffer> {
  const { noiseDims, noiseJpeg, taggedJpeg } = await import("../bench/noise");
  const cache = path.join(root, ".data", `faults-noise-${mib}.jpg`);
  let base: Buffer;
  if (fs.existsSync(cache)) base = fs.readFileSync(cache);
  else {
    base = await noiseJpeg(noiseDims(mib));
    fs.mkdirSync(path.dirname(cache), { recursive: true });
    fs.writeFileSync(cache, base);
  }
  return tag ? taggedJpeg(base, tag) : base;
}

// ---------------------------------------------------------------- invariants

export type Invariants = { orphanChunkFiles: string[]; orphanFiles: string[]; staleUploads: string[]; imagesMissingBlobs: string[] };

/**
 * What must hold after the sweeper: every chunk belongs to a file or a live
 * upload, every file to an image, no upload past its time or stuck completing,
 * and every image's blobs exist.
 */
export async function checkInvariants(db: Db): Promise<Invariants> {
  const now = new Date();
  const uploads = await db.collection("uploads").find({}).toArray();
  const liveUploadFiles = new Set(uploads.filter((u) => u.expiresAt > now).map((u) => (u.original.fileId as ObjectId).toHexString()));
  const images = await db.collection("images").find({}, { projection: { blobs: 1 } }).toArray();
  const imageIds = new Set(images.map((i) => String(i._id)));
  const files = await db.collection("fs.files").find({}, { projection: { _id: 1, "metadata.imageId": 1 } }).toArray();
  const fileIds = new Set(files.map((f) => (f._id as ObjectId).toHexString()));
  const chunkFiles = ((await db.collection("fs.chunks").distinct("files_id")) as ObjectId[]).map((id) => id.toHexString());
  const imagesMissingBlobs = images
    .filter((i) => Object.values(i.blobs as Record<string, { fileId: ObjectId }>).some((b) => !fileIds.has(b.fileId.toHexString())))
    .map((i) => String(i._id));
  return {
    orphanChunkFiles: chunkFiles.filter((id) => !fileIds.has(id) && !liveUploadFiles.has(id)),
    orphanFiles: files.filter((f) => !imageIds.has(String(f.metadata?.imageId))).map((f) => (f._id as ObjectId).toHexString()),
    staleUploads: uploads.filter((u) => u.expiresAt <= now || u.state === "completing").map((u) => String(u._id)),
    imagesMissingBlobs,
  };
}

export const CLEAN: Invariants = { orphanChunkFiles: [], orphanFiles: [], staleUploads: [], imagesMissingBlobs: [] };

/** Runs the sweepers through the app's own cron endpoint, as Vercel Cron (or an operator) would. */
export async function runCron(app: { baseUrl: string }, secret: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${app.baseUrl}/api/cron/purge`, { headers: { authorization: `Bearer ${secret}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A sweep that really ran: waits while another pass (a server's own timer, say) holds the lease. */
export async function sweepNow(app: { baseUrl: string }, secret: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await runCron(app, secret);
    if (r.status !== 200) throw new Error(`cron answered ${r.status}: ${JSON.stringify(r.body)}`);
    if (r.body.ran) return r.body;
    if (Date.now() > deadline) throw new Error("the housekeeping lease stayed taken for 2 minutes");
    await sleep(500);
  }
}

export function runuserAvailable(): boolean {
  return process.getuid?.() === 0 && spawnSync("runuser", ["--help"]).status === 0;
}
