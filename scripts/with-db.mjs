#!/usr/bin/env node
// Runs a command against a MongoDB-wire database.
//
// With MONGODB_URI set, the command runs as is. Without it, this script is the
// "embedded default" of DESIGN.md §2: it builds FerretDB once per machine,
// starts it on a free loopback port with its data under .data/<profile>/, fills
// in development secrets from .data/secrets.json, runs the command and stops the
// database when the command ends (or when we are interrupted).
//
//   node scripts/with-db.mjs [--profile dev|test|bench] [--engine sqlite|postgresql] -- <command...>
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FERRET_VERSION = "v1.24.2";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataRoot = path.join(root, ".data");

function parseArgs(argv) {
  const opts = { profile: "dev", engine: process.env.EMBEDDED_DB_ENGINE || null, command: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      opts.command = argv.slice(i + 1);
      break;
    }
    if (a === "--profile") opts.profile = argv[++i];
    else if (a === "--engine") opts.engine = argv[++i];
    else throw new Error(`with-db: unknown option ${a}`);
  }
  if (!/^[a-z]+$/.test(opts.profile)) throw new Error("with-db: --profile must be lower-case letters");
  if (opts.engine && !["sqlite", "postgresql"].includes(opts.engine)) throw new Error("with-db: --engine is sqlite or postgresql");
  if (opts.command.length === 0) throw new Error("with-db: no command given after --");
  return opts;
}

function log(msg) {
  process.stderr.write(`[with-db] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[with-db] ${msg}\n\n`);
  process.exit(1);
}

/** Development secrets live in one 0600 file so restarts keep sessions and keys valid. */
function loadDevSecrets() {
  fs.mkdirSync(dataRoot, { recursive: true, mode: 0o700 });
  const file = path.join(dataRoot, "secrets.json");
  let secrets = {};
  if (fs.existsSync(file)) secrets = JSON.parse(fs.readFileSync(file, "utf8"));
  let changed = false;
  if (!secrets.AUTH_SECRET) {
    secrets.AUTH_SECRET = randomBytes(32).toString("base64");
    changed = true;
  }
  if (!secrets.PG_PASSWORD) {
    secrets.PG_PASSWORD = randomBytes(18).toString("base64url");
    changed = true;
  }
  if (!secrets.IMAGE_KEYS) {
    secrets.IMAGE_KEYS = `k${Date.now().toString(36)}:${randomBytes(32).toString("base64")}`;
    changed = true;
  }
  if (changed) {
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
    log(`wrote missing development secrets into ${path.relative(root, file)} (mode 0600); set AUTH_SECRET and IMAGE_KEYS yourself in production`);
  }
  fs.chmodSync(file, 0o600);
  return secrets;
}

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "image-repository");
}

/** Builds FerretDB from the Go module proxy once per machine (DESIGN.md §2 recipe). */
function ensureFerretBinary() {
  if (process.env.FERRETDB_BIN) return process.env.FERRETDB_BIN;
  const bin = path.join(cacheDir(), `ferretdb-${FERRET_VERSION}`);
  if (fs.existsSync(bin)) return bin;
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0) {
    fail(
      "No MONGODB_URI is set and FerretDB is not built yet, but the Go toolchain (>= 1.24) is missing.\n" +
        "  Either install Go (https://go.dev/dl or `apt-get install golang`) and run this again,\n" +
        "  or point the app at your own MongoDB: export MONGODB_URI='mongodb://127.0.0.1:27017/imagerepo'.",
    );
  }
  log(`building FerretDB ${FERRET_VERSION} from the Go module proxy (first time only; this takes a few minutes)...`);
  const dl = spawnSync("go", ["mod", "download", "-json", `github.com/FerretDB/FerretDB@${FERRET_VERSION}`], {
    encoding: "utf8",
    env: { ...process.env, GOFLAGS: "-mod=mod" },
  });
  if (dl.status !== 0) fail(`go mod download failed:\n${dl.stdout}\n${dl.stderr}`);
  const srcDir = JSON.parse(dl.stdout).Dir;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ferretdb-src-"));
  try {
    fs.cpSync(srcDir, work, { recursive: true });
    spawnSync("chmod", ["-R", "u+w", work]);
    // The module omits this generated file, and the binary panics at start without it.
    fs.writeFileSync(path.join(work, "build/version/version.txt"), FERRET_VERSION);
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    const tmpBin = `${bin}.tmp-${process.pid}`;
    // -v prints each package as it compiles: the progress a first build needs.
    const build = spawnSync("go", ["build", "-v", "-o", tmpBin, "./cmd/ferretdb"], {
      cwd: work,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CGO_ENABLED: "0" },
    });
    if (build.status !== 0) fail("building FerretDB failed (see the Go output above)");
    fs.renameSync(tmpBin, bin);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`FerretDB cached at ${bin}`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One server per data directory: a second start must not share or corrupt it. */
function takeLock(dir, profile) {
  const lock = path.join(dir, "server.pid");
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
  } catch {
    const other = Number(fs.readFileSync(lock, "utf8"));
    if (other && other !== process.pid && isAlive(other)) {
      fail(
        `the embedded database in ${path.relative(root, dir)} is already in use by process ${other}.\n` +
          `  Another "npm ${profile === "dev" ? "start / npm run dev" : "test"}" is probably running: stop it first,\n` +
          "  or set MONGODB_URI to use a separate database.",
      );
    }
    fs.writeFileSync(lock, String(process.pid));
  }
  return () => {
    try {
      if (Number(fs.readFileSync(lock, "utf8")) === process.pid) fs.unlinkSync(lock);
    } catch {
      /* already gone */
    }
  };
}

async function waitForPort(port, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function findPgBin() {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], "bin") : null;
}

/** Debian's postgresql, installed on first use when we may (root), like Chromium for the tests. */
function ensurePgBin() {
  let bin = findPgBin();
  if (bin) return bin;
  if (process.getuid?.() !== 0) return null;
  log("installing Debian's postgresql for the embedded database (first time only)...");
  const apt = (args) => spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (apt(["update", "-qq"]).status === 0) apt(["install", "-y", "-qq", "postgresql"]);
  bin = findPgBin();
  return bin;
}

/**
 * A private PostgreSQL cluster under .data/<profile>-postgresql/ for FerretDB's
 * postgresql handler. Password-protected on loopback only, no Unix socket.
 */
async function startPostgres(dir, { durable, password }) {
  const pgBin = ensurePgBin();
  if (!pgBin) fail("the postgresql engine needs Debian's postgresql package: sudo apt-get install -y postgresql (or use EMBEDDED_DB_ENGINE=sqlite)");
  const isRoot = process.getuid?.() === 0;
  fs.mkdirSync(dir, { recursive: true });
  // PostgreSQL refuses to run as root, and its own user often cannot reach a checkout
  // (under /root, or a 0700 temp dir). As root the cluster lives in the postgres user's
  // home, tied to this data directory by a marker file: deleting .data/<profile>-postgresql
  // still means a fresh database.
  const marker = path.join(dir, "pg-cluster");
  const pgData = isRoot
    ? path.join("/var/lib/postgresql/image-repository", `${path.basename(dir)}-${createHash("sha256").update(dir).digest("hex").slice(0, 12)}`)
    : path.join(dir, "pg");
  if (!fs.existsSync(marker)) fs.rmSync(pgData, { recursive: true, force: true });
  fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
  if (isRoot) spawnSync("chown", ["postgres:postgres", path.dirname(pgData), pgData]);
  const asUser = isRoot ? ["runuser", "-u", "postgres", "--"] : [];
  const run = (cmd, args, opts = {}) => {
    const full = [...asUser, cmd, ...args];
    return spawnSync(full[0], full.slice(1), { encoding: "utf8", cwd: pgData, ...opts });
  };
  if (!fs.existsSync(path.join(pgData, "PG_VERSION"))) {
    // initdb wants an empty directory, so the password file sits beside it for a moment.
    const pwfile = path.join(os.tmpdir(), `pg-pw-${process.pid}-${randomBytes(4).toString("hex")}`);
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (isRoot) spawnSync("chown", ["postgres", pwfile]);
    const r = run(path.join(pgBin, "initdb"), ["-D", pgData, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8"]);
    fs.rmSync(pwfile, { force: true });
    if (r.status !== 0) fail(`initdb failed: ${r.stderr}`);
  }
  fs.writeFileSync(marker, `${pgData}\n`);
  const port = await freePort();
  const settings = [`-p ${port}`, "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''"];
  // Throwaway test and bench clusters trade durability for speed; development data keeps fsync.
  if (!durable) settings.push("-c fsync=off", "-c synchronous_commit=off");
  const pgLog = path.join(pgData, "server.log");
  const r = run(path.join(pgBin, "pg_ctl"), ["-D", pgData, "-o", settings.join(" "), "-w", "start", "-l", pgLog]);
  if (r.status !== 0) fail(`PostgreSQL did not start: ${r.stderr}; see ${pgLog}`);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/ferretdb`;
  const psql = (sql, database = "postgres") =>
    spawnSync(path.join(pgBin, "psql"), [url.replace(/\/ferretdb$/, `/${database}`), "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], {
      encoding: "utf8",
      cwd: pgData,
    });
  const exists = psql("SELECT 1 FROM pg_database WHERE datname = 'ferretdb'");
  if (exists.stdout.trim() !== "1") {
    const created = psql("CREATE DATABASE ferretdb");
    if (created.status !== 0) fail(`could not create the ferretdb database: ${created.stderr}`);
  }
  return {
    url,
    psql: (sql) => psql(sql, "ferretdb"),
    stop: () => run(path.join(pgBin, "pg_ctl"), ["-D", pgData, "-m", "fast", "stop"]),
  };
}

/**
 * FerretDB pushes `files_id` equality down as `_jsonb->'files_id' @> ...`, which
 * only a GIN index serves (FerretDB #4646); without it every blob read scans all
 * chunks. The index lives in PostgreSQL, so it is made here, not by the app.
 */
async function ensureChunksGinIndex({ mongoUrl, dbName, psql }) {
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  try {
    const db = client.db(dbName);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    if (!names.includes("fs.chunks")) await db.createCollection("fs.chunks");
  } finally {
    await client.close();
  }
  const table = psql(`SELECT _jsonb->>'table' FROM "${dbName}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'fs.chunks'`);
  const name = table.stdout.trim();
  if (table.status !== 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
    log(`could not find FerretDB's table for fs.chunks; blob reads will scan (${table.stderr.trim()})`);
    return;
  }
  const r = psql(`CREATE INDEX IF NOT EXISTS fs_chunks_files_id_gin ON "${dbName}"."${name}" USING gin ((_jsonb->'files_id'))`);
  if (r.status !== 0) log(`could not create the GIN index on fs.chunks: ${r.stderr.trim()}`);
  // Fresh statistics, so the planner picks the index rather than a scan it thinks is cheap.
  else psql(`ANALYZE "${dbName}"."${name}"`);
}

/**
 * PostgreSQL by default (blob reads stay fast as the library grows; see the README's
 * benchmarks), SQLite when PostgreSQL cannot be had or an older SQLite data directory
 * is already in use.
 */
function chooseEngine(opts) {
  if (opts.engine) return opts.engine;
  const sqliteDir = path.join(dataRoot, `${opts.profile}-sqlite`);
  const pgDir = path.join(dataRoot, `${opts.profile}-postgresql`);
  // Someone's development data stays where it is; throwaway profiles just take the default.
  if (opts.profile === "dev" && fs.existsSync(path.join(sqliteDir, "sqlite")) && !fs.existsSync(pgDir)) {
    log(`using the existing SQLite data in ${path.relative(root, sqliteDir)} (set EMBEDDED_DB_ENGINE=postgresql to start a PostgreSQL one)`);
    return "sqlite";
  }
  if (ensurePgBin()) return "postgresql";
  log("PostgreSQL is not installed and cannot be installed here (not root): using FerretDB's SQLite backend,");
  log("which slows down past a few hundred images. Install it with: sudo apt-get install -y postgresql");
  return "sqlite";
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const env = { ...process.env };
  let stopping = false;
  const cleanups = [];
  const cleanup = () => {
    while (cleanups.length) {
      try {
        cleanups.pop()();
      } catch {
        /* best effort on the way out */
      }
    }
  };
  // Also on a failed start (fail() exits): nothing we started may outlive us.
  process.on("exit", cleanup);

  if (!env.MONGODB_URI) {
    const secrets = loadDevSecrets();
    env.AUTH_SECRET ||= secrets.AUTH_SECRET;
    env.IMAGE_KEYS ||= secrets.IMAGE_KEYS;
    env.AUTH_TRUST_HOST ||= "true";

    const bin = ensureFerretBinary();
    opts.engine = chooseEngine(opts);
    const dir = path.join(dataRoot, `${opts.profile}-${opts.engine}`);
    fs.mkdirSync(path.join(dir, "sqlite"), { recursive: true });
    cleanups.push(takeLock(dir, opts.profile));

    const handlerArgs = [];
    let pg = null;
    if (opts.engine === "postgresql") {
      pg = await startPostgres(dir, { durable: opts.profile === "dev", password: secrets.PG_PASSWORD });
      cleanups.push(pg.stop);
      handlerArgs.push("--handler=postgresql");
    } else {
      handlerArgs.push("--handler=sqlite", `--sqlite-url=file:${path.join(dir, "sqlite")}/`);
    }
    const port = await freePort();
    const logFile = fs.openSync(path.join(dir, "ferretdb.log"), "a");
    const db = spawn(
      bin,
      [
        ...handlerArgs,
        `--listen-addr=127.0.0.1:${port}`,
        "--telemetry=disable",
        `--state-dir=${dir}`,
        "--debug-addr=-",
        "--log-level=warn",
      ],
      // The PostgreSQL URL holds a password: passed in the environment, not on the (world-readable) command line.
      { stdio: ["ignore", logFile, logFile], env: pg ? { ...process.env, FERRETDB_POSTGRESQL_URL: pg.url } : process.env },
    );
    cleanups.push(() => {
      if (db.exitCode === null) db.kill("SIGTERM");
    });
    if (!(await waitForPort(port, db))) {
      cleanup();
      fail(`FerretDB did not start; see ${path.relative(root, path.join(dir, "ferretdb.log"))}`);
    }
    db.on("exit", (code) => {
      if (!stopping) log(`FerretDB exited unexpectedly (code ${code}); see ${path.join(dir, "ferretdb.log")}`);
    });
    const dbName = opts.profile === "dev" ? "imagerepo" : `imagerepo_${opts.profile}`;
    env.MONGODB_URI = `mongodb://127.0.0.1:${port}/${dbName}?directConnection=true`;
    if (pg) {
      await ensureChunksGinIndex({ mongoUrl: env.MONGODB_URI, dbName, psql: pg.psql });
      // For tools that inspect the cluster (the bench); only this command's environment sees it.
      env.EMBEDDED_PG_URL = pg.url;
    }
    env.EMBEDDED_DB_ENGINE = `ferretdb-${opts.engine}`;
    log(`FerretDB ${FERRET_VERSION} (${opts.engine}) on 127.0.0.1:${port}, data in ${path.relative(root, dir)}`);
  }

  const child = spawn(opts.command[0], opts.command.slice(1), { stdio: "inherit", env });
  const forward = (sig) => {
    stopping = true;
    if (child.exitCode === null) child.kill(sig);
  };
  process.on("SIGINT", () => forward("SIGINT"));
  process.on("SIGTERM", () => forward("SIGTERM"));
  child.on("exit", (code, signal) => {
    stopping = true;
    cleanup();
    process.exit(code ?? (signal ? 1 : 0));
  });
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
