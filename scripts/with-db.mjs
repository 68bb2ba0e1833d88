#!/usr/bin/env node
// Runs a command against a MongoDB-wire database.
//
// With MONGODB_URI set, the command runs as is. Without it, this script is the
// "embedded default" of DESIGN.md §2: it builds FerretDB once per machine,
// starts it on a Unix socket in a 0700 directory (no TCP listener: FerretDB has
// no authentication, so only this user may reach it) with its data under
// .data/<profile>-<engine>/, fills in development secrets from
// .data/secrets.json, runs the command and stops the database when the command
// ends (or when we are interrupted). No secret is ever put on a command line,
// where any local user could read it (/proc/<pid>/cmdline).
//
//   node scripts/with-db.mjs [--profile dev|test|bench] [--engine sqlite|postgresql] -- <command...>
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ensureGinIndexes } from "./pg-gin-indexes.mjs";

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

/**
 * Runs a Go command and shows its progress as one line: each module fetched
 * ("go: downloading ...") or package compiled (a bare package path, from -v) on
 * its stderr counts one. The line is redrawn in place on a terminal, and printed
 * every ~10% otherwise. Resolves with the exit status, stdout, and the stderr
 * lines that were not progress (the errors, on a failure).
 */
function goWithProgress(args, { cwd, env, label, total }) {
  return new Promise((resolve) => {
    const tty = Boolean(process.stderr.isTTY);
    const child = spawn("go", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let done = 0;
    let shownStep = -1;
    let pending = "";
    const other = [];
    let stdout = "";
    const show = (final) => {
      const text = total ? `${label}: ${Math.min(done, total)}/${total} packages` : `${label}: ${done}`;
      if (tty) {
        process.stderr.write(`\r[with-db] ${text}\x1b[K${final ? "\n" : ""}`);
      } else {
        const step = total ? Math.floor((10 * Math.min(done, total)) / total) : Math.floor(done / 25);
        if (step !== shownStep || final) {
          shownStep = step;
          log(text);
        }
      }
    };
    const onLine = (line) => {
      if (!line) return;
      // Progress is a module being fetched or a package name (-v); anything else is kept for errors.
      if (line.startsWith("go: downloading ") || /^[\w.\-/]+$/.test(line)) {
        done++;
        show(false);
      } else other.push(line);
    };
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop();
      lines.forEach(onLine);
    });
    child.on("error", (err) => other.push(String(err)));
    child.on("close", (code) => {
      onLine(pending);
      // Not every listed package prints a line (unsafe, say): a success is all of them.
      if (code === 0 && total) done = total;
      if (done > 0) show(true);
      resolve({ status: code, stdout, errors: other.join("\n") });
    });
  });
}

/** Builds FerretDB from the Go module proxy once per machine (DESIGN.md §2 recipe). */
async function ensureFerretBinary() {
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
    const env = { ...process.env, CGO_ENABLED: "0" };
    // Listing the packages fetches FerretDB's dependencies ("go: downloading" lines, counted),
    // and gives the total for the build's progress line.
    const list = await goWithProgress(["list", "-deps", "./cmd/ferretdb"], { cwd: work, env, label: "fetching FerretDB's dependencies (modules)" });
    if (list.status !== 0) fail(`listing FerretDB's packages failed:\n${list.errors}`);
    const total = list.stdout.split("\n").filter(Boolean).length;
    // -v names each package as it compiles: counted into one progress line, not printed.
    const build = await goWithProgress(["build", "-v", "-o", tmpBin, "./cmd/ferretdb"], { cwd: work, env, label: "building FerretDB", total });
    if (build.status !== 0) fail(`building FerretDB failed:\n${build.errors}`);
    fs.renameSync(tmpBin, bin);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`FerretDB cached at ${bin}`);
  return bin;
}

// Unix socket paths (sun_path) hold 108 bytes with the final NUL; keep a margin.
const MAX_SOCKET_PATH = 100;
const SAFE_PATH = /^[A-Za-z0-9_.\/-]+$/;

/**
 * A directory for a Unix socket named `name`: `preferred` (made 0700) when the
 * socket path fits and needs no quoting, else a fresh 0700 directory from
 * mkdtemp under /tmp, removed by the returned cleanup.
 */
function socketDir(preferred, name, { owner } = {}) {
  const full = path.join(preferred, name);
  if (Buffer.byteLength(full) <= MAX_SOCKET_PATH && SAFE_PATH.test(full)) {
    fs.mkdirSync(preferred, { recursive: true, mode: 0o700 });
    fs.chmodSync(preferred, 0o700);
    return { dir: preferred, cleanup: () => fs.rmSync(full, { force: true }) };
  }
  const dir = fs.mkdtempSync("/tmp/imgrepo-"); // mkdtemp makes it 0700
  if (owner) spawnSync("chown", [owner, dir]);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
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

/** Ready when the socket accepts a connection (or false once the process has exited). */
async function waitForSocket(socketPath, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise((resolve) => {
      const s = net.connect({ path: socketPath });
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

// Only names the socket file (.s.PGSQL.5432): the cluster has no TCP listener.
const PG_PORT = 5432;
const PG_CLUSTERS_AS_ROOT = "/var/lib/postgresql/image-repository";

/** A line of a libpq password file, with its `:` and `\\` escaped. */
function pgpassLine(fields) {
  return fields.map((f) => String(f).replace(/[\\:]/g, (c) => `\\${c}`)).join(":") + "\n";
}

/**
 * A private PostgreSQL cluster for FerretDB's postgresql handler. It listens only
 * on a Unix socket in a 0700 directory (no TCP), and still asks for the password
 * (scram-sha-256). The password reaches psql through a 0600 PGPASSFILE and
 * FerretDB through its environment, never a command line.
 *
 * Where the cluster lives: PostgreSQL refuses to run as root, and its own user
 * often cannot reach a checkout (under /root, or a 0700 .data/). So as root it
 * lives in /var/lib/postgresql/image-repository/<profile>-postgresql-<hash>/,
 * owned by postgres and tied to .data/<profile>-postgresql by a marker file
 * (deleting that directory still means a fresh database); otherwise in
 * .data/<profile>-postgresql/pg. Throwaway (non-durable) clusters are deleted
 * when they stop.
 */
async function startPostgres(dir, { durable, password }) {
  const pgBin = ensurePgBin();
  if (!pgBin) fail("the postgresql engine needs Debian's postgresql package: sudo apt-get install -y postgresql (or use EMBEDDED_DB_ENGINE=sqlite)");
  const isRoot = process.getuid?.() === 0;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const marker = path.join(dir, "pg-cluster");
  const pgData = isRoot
    ? path.join(PG_CLUSTERS_AS_ROOT, `${path.basename(dir)}-${createHash("sha256").update(dir).digest("hex").slice(0, 12)}`)
    : path.join(dir, "pg");
  if (!fs.existsSync(marker)) fs.rmSync(pgData, { recursive: true, force: true });
  fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
  if (isRoot) spawnSync("chown", ["postgres:postgres", path.dirname(pgData), pgData]);
  const asUser = isRoot ? ["runuser", "-u", "postgres", "--"] : [];
  const run = (cmd, args, opts = {}) => {
    const full = [...asUser, cmd, ...args];
    return spawnSync(full[0], full.slice(1), { encoding: "utf8", cwd: pgData, ...opts });
  };
  const removeCluster = () => {
    fs.rmSync(pgData, { recursive: true, force: true });
    fs.rmSync(marker, { force: true });
    if (isRoot) {
      try {
        fs.rmdirSync(PG_CLUSTERS_AS_ROOT); // only when no other cluster is left
      } catch {
        /* another profile's cluster is still there */
      }
    }
  };
  if (!fs.existsSync(path.join(pgData, "PG_VERSION"))) {
    // initdb wants an empty directory, so the password file sits beside it for a moment.
    const pwfile = path.join(os.tmpdir(), `pg-pw-${process.pid}-${randomBytes(4).toString("hex")}`);
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (isRoot) spawnSync("chown", ["postgres", pwfile]);
    const r = run(path.join(pgBin, "initdb"), ["-D", pgData, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8"]);
    fs.rmSync(pwfile, { force: true });
    if (r.status !== 0) {
      if (!durable) removeCluster();
      fail(`initdb failed: ${r.stderr}`);
    }
  }
  fs.writeFileSync(marker, `${pgData}\n`);
  // A server left running by a run that was killed (we hold the lock, so it is ours).
  if (fs.existsSync(path.join(pgData, "postmaster.pid"))) run(path.join(pgBin, "pg_ctl"), ["-D", pgData, "-m", "fast", "stop"]);

  const sock = socketDir(pgData, `.s.PGSQL.${PG_PORT}`, { owner: isRoot ? "postgres" : undefined });
  const settings = [
    `-p ${PG_PORT}`,
    "-c listen_addresses=''",
    `-c unix_socket_directories='${sock.dir}'`,
    "-c unix_socket_permissions=0700",
    // pgx caches FerretDB's statements; after five runs PostgreSQL may switch one to a
    // generic plan, where `_jsonb->$1` no longer matches an expression index: every
    // indexed equality would quietly become a scan again.
    "-c plan_cache_mode=force_custom_plan",
  ];
  // Throwaway test and bench clusters trade durability for speed; development data keeps fsync.
  if (!durable) settings.push("-c fsync=off", "-c synchronous_commit=off");
  const pgLog = path.join(pgData, "server.log");
  const r = run(path.join(pgBin, "pg_ctl"), ["-D", pgData, "-o", settings.join(" "), "-w", "start", "-l", pgLog]);
  if (r.status !== 0) {
    sock.cleanup();
    fail(`PostgreSQL did not start: ${r.stderr}; see ${pgLog}`);
  }
  const passFile = path.join(dir, "pgpass");
  fs.writeFileSync(passFile, pgpassLine([sock.dir, PG_PORT, "*", "postgres", password]), { mode: 0o600 });
  fs.chmodSync(passFile, 0o600);
  // For libpq clients (psql): where, who, and the password file. No password in here.
  const libpqEnv = { PGHOST: sock.dir, PGPORT: String(PG_PORT), PGUSER: "postgres", PGPASSFILE: passFile };
  const psql = (sql, database = "postgres") => {
    const env = { ...process.env, ...libpqEnv };
    delete env.PGPASSWORD; // would win over the password file
    return spawnSync(path.join(pgBin, "psql"), ["-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { encoding: "utf8", cwd: pgData, env });
  };
  const stop = () => {
    run(path.join(pgBin, "pg_ctl"), ["-D", pgData, "-m", "fast", "stop"]);
    sock.cleanup();
    fs.rmSync(passFile, { force: true });
    if (!durable) removeCluster();
  };
  const exists = psql("SELECT 1 FROM pg_database WHERE datname = 'ferretdb'");
  if (exists.stdout.trim() !== "1") {
    const created = psql("CREATE DATABASE ferretdb");
    if (created.status !== 0) {
      stop();
      fail(`could not create the ferretdb database: ${created.stderr}`);
    }
  }
  const host = encodeURIComponent(sock.dir);
  return {
    pgData,
    // For FerretDB only, through its environment: pgx reads a Unix socket directory from `host`.
    url: `postgres://postgres:${encodeURIComponent(password)}@/ferretdb?host=${host}&port=${PG_PORT}`,
    // For tools run under this script (the bench): no password; libpq finds it through PGPASSFILE.
    publicUrl: `postgresql://postgres@/ferretdb?host=${host}&port=${PG_PORT}`,
    libpqEnv,
    psql: (sql) => psql(sql, "ferretdb"),
    stop,
  };
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
  // Next prints a telemetry notice on first use and would phone home; the scripts opt out.
  env.NEXT_TELEMETRY_DISABLED ??= "1";
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

    const bin = await ensureFerretBinary();
    opts.engine = chooseEngine(opts);
    const dir = path.join(dataRoot, `${opts.profile}-${opts.engine}`);
    fs.mkdirSync(path.join(dir, "sqlite"), { recursive: true });
    // Data (SQLite files, logs, the password file) and the socket: this user only.
    fs.chmodSync(dataRoot, 0o700);
    fs.chmodSync(dir, 0o700);
    cleanups.push(takeLock(dir, opts.profile));

    const handlerArgs = [];
    let pg = null;
    const durable = opts.profile === "dev";
    if (opts.engine === "postgresql") {
      pg = await startPostgres(dir, { durable, password: secrets.PG_PASSWORD });
      cleanups.push(pg.stop);
      handlerArgs.push("--handler=postgresql");
      log(`PostgreSQL cluster in ${pg.pgData}${durable ? "" : " (a throwaway one: deleted when this run ends)"}`);
    } else {
      handlerArgs.push("--handler=sqlite", `--sqlite-url=file:${path.join(dir, "sqlite")}/`);
    }
    // FerretDB 1.x has no authentication: it listens only on a Unix socket in a 0700
    // directory, so only this user (and root) can reach it. `--listen-addr=` turns TCP off.
    const sock = socketDir(dir, "ferretdb.sock");
    cleanups.push(sock.cleanup);
    const socketPath = path.join(sock.dir, "ferretdb.sock");
    fs.rmSync(socketPath, { force: true }); // a stale one from a killed run (we hold the lock)
    const logFile = fs.openSync(path.join(dir, "ferretdb.log"), "a");
    const db = spawn(
      bin,
      [
        ...handlerArgs,
        `--listen-unix=${socketPath}`,
        "--listen-addr=",
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
    if (!(await waitForSocket(socketPath, db))) {
      cleanup();
      fail(`FerretDB did not start; see ${path.relative(root, path.join(dir, "ferretdb.log"))}`);
    }
    db.on("exit", (code) => {
      if (!stopping) log(`FerretDB exited unexpectedly (code ${code}); see ${path.join(dir, "ferretdb.log")}`);
    });
    const dbName = opts.profile === "dev" ? "imagerepo" : `imagerepo_${opts.profile}`;
    // The driver reads a host ending in ".sock" as a percent-encoded socket path.
    env.MONGODB_URI = `mongodb://${encodeURIComponent(socketPath)}/${dbName}?directConnection=true`;
    if (pg) {
      await ensureGinIndexes({ mongoUrl: env.MONGODB_URI, dbName, psql: pg.psql, log });
      // For tools that inspect the cluster (the bench): a URL without the password, and
      // the 0600 password file libpq reads it from. Only this command's environment sees them.
      env.EMBEDDED_PG_URL = pg.publicUrl;
      env.PGPASSFILE = pg.libpqEnv.PGPASSFILE;
    }
    env.EMBEDDED_DB_ENGINE = `ferretdb-${opts.engine}`;
    log(`FerretDB ${FERRET_VERSION} (${opts.engine}) on the Unix socket ${socketPath} (no TCP), data in ${path.relative(root, dir)}`);
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
