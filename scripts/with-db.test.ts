import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const script = path.join(root, "scripts/with-db.mjs");
const dataDir = path.join(root, ".data/locktest-sqlite");
// The embedded path runs only without MONGODB_URI.
const env: NodeJS.ProcessEnv = { ...process.env, MONGODB_URI: "" };
const isRoot = process.getuid?.() === 0;
const hasPostgres =
  fs.existsSync("/usr/lib/postgresql") &&
  fs.readdirSync("/usr/lib/postgresql").some((v) => fs.existsSync(path.join("/usr/lib/postgresql", v, "bin/initdb")));

function run(args: string[]): { child: ChildProcess; output: () => string; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, env });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  return { child, output: () => output, done: new Promise((resolve) => child.on("exit", (code) => resolve({ code, output }))) };
}

function ferretProcessesFor(dir: string): string[] {
  const out = execFileSync("ps", ["-eo", "args"]).toString();
  return out.split("\n").filter((line) => line.includes("ferretdb") && line.includes(dir));
}

/** Every process's argv, as the kernel shows it to any local user. */
function allCmdlines(): { pid: number; args: string[] }[] {
  const out: { pid: number; args: string[] }[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = fs.readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (raw) out.push({ pid: Number(name), args: raw.split("\0").filter(Boolean) });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Inodes of the sockets in LISTEN state on TCP (v4 and v6) in this network namespace. */
function tcpListenInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A") inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The TCP ports a process listens on ([] when it has no TCP listener). */
function tcpListenersOf(pid: number): string[] {
  const listening = tcpListenInodes();
  const found: string[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let link = "";
    try {
      link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode && listening.has(inode)) found.push(`fd ${fd} (socket inode ${inode})`);
  }
  return found;
}

/**
 * Watches every /proc/<pid>/cmdline in a tight loop, from before the run starts to
 * after it ends, for the PostgreSQL password of .data/secrets.json (read by the
 * watcher from the file as soon as the run has written it; never given on a command
 * line). A separate process, so the test's own event loop cannot slow it down.
 */
function watchCmdlines(): { stop: () => Promise<{ scans: number; hits: string[] }> } {
  const code = `
    const fs = require("fs");
    const file = process.env.SECRETS_FILE;
    let password = null, scans = 0, stopping = false;
    const hits = new Map();
    process.stdin.on("end", () => (stopping = true));
    process.stdin.resume();
    function scan() {
      if (!password) {
        try { password = JSON.parse(fs.readFileSync(file, "utf8")).PG_PASSWORD || null; } catch {}
      }
      if (password) {
        for (const name of fs.readdirSync("/proc")) {
          if (!/^\\d+$/.test(name)) continue;
          let raw = "";
          try { raw = fs.readFileSync("/proc/" + name + "/cmdline", "latin1"); } catch { continue; }
          if (raw.includes(password) || raw.includes(encodeURIComponent(password))) hits.set(name, raw.split("\\0").join(" ").replace(password, "<PG_PASSWORD>"));
        }
        scans++;
      }
      if (stopping) {
        process.stdout.write(JSON.stringify({ scans, hits: [...hits].map(([pid, args]) => pid + ": " + args) }));
        process.exit(0);
      }
      setImmediate(scan);
    }
    scan();`;
  const watcher = spawn(process.execPath, ["-e", code], {
    env: { ...process.env, SECRETS_FILE: path.join(root, ".data/secrets.json") },
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  watcher.stdout.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => watcher.on("exit", () => resolve()));
  return {
    stop: async () => {
      watcher.stdin.end();
      await exited;
      return JSON.parse(out);
    },
  };
}

/**
 * Run as another local user: connects to each target and, where that works, asks
 * for the list of databases with a raw OP_MSG (what an attacker would do next).
 */
const ATTACK = `
  const net = require("net");
  const targets = JSON.parse(process.env.TARGETS);
  function doc() {
    const parts = [];
    const cstr = (s) => Buffer.from(s + "\\0");
    const i32 = (n) => { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; };
    parts.push(Buffer.from([0x10]), cstr("listDatabases"), i32(1));
    parts.push(Buffer.from([0x02]), cstr("$db"), i32(6), cstr("admin"));
    const body = Buffer.concat([...parts, Buffer.from([0])]);
    return Buffer.concat([i32(body.length + 4), body]);
  }
  function opMsg() {
    const d = doc();
    const h = Buffer.alloc(21);
    h.writeInt32LE(21 + d.length, 0); h.writeInt32LE(1, 4); h.writeInt32LE(0, 8); h.writeInt32LE(2013, 12);
    h.writeUInt32LE(0, 16); h[20] = 0;
    return Buffer.concat([h, d]);
  }
  (async () => {
    const results = [];
    for (const t of targets) {
      results.push(await new Promise((resolve) => {
        const s = t.path ? net.connect({ path: t.path }) : net.connect(t.port, t.host);
        let reply = "";
        s.once("error", (e) => resolve({ target: t, connected: false, code: e.code }));
        s.once("connect", () => {
          if (!t.mongo) { s.destroy(); return resolve({ target: t, connected: true }); }
          s.write(opMsg());
          s.on("data", (d) => { reply += d.toString("latin1"); if (reply.includes("databases")) { s.destroy(); resolve({ target: t, connected: true, listed: reply.replace(/[^\\x20-\\x7e]/g, " ") }); } });
          setTimeout(() => { s.destroy(); resolve({ target: t, connected: true, listed: reply }); }, 5000).unref();
        });
      }));
    }
    console.log(JSON.stringify(results));
  })();`;

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe("scripts/with-db.mjs (embedded database)", () => {
  it("gives the command a working MONGODB_URI, refuses a second start on the same data, and leaves no process behind", async () => {
    const first = run(["--profile", "locktest", "--engine", "sqlite", "--", "node", "-e", "console.log('URI=' + process.env.MONGODB_URI); setTimeout(() => {}, 4000)"]);
    // Wait until the first one holds the lock and its database runs.
    for (let i = 0; i < 100; i++) {
      if (fs.existsSync(path.join(dataDir, "server.pid")) && ferretProcessesFor(dataDir).length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await run(["--profile", "locktest", "--engine", "sqlite", "--", "node", "-e", "console.log('should not run')"]).done;
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/already in use by process \d+/);
    expect(second.output).not.toContain("should not run");

    const result = await first.done;
    expect(result.code).toBe(0);
    // A percent-encoded Unix socket path, in the data directory (this path is short enough).
    const socket = encodeURIComponent(path.join(dataDir, "ferretdb.sock"));
    expect(result.output).toContain(`URI=mongodb://${socket}/imagerepo_locktest?directConnection=true`);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(ferretProcessesFor(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "server.pid"))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, "ferretdb.sock"))).toBe(false);
  });

  it("passes the command's exit code through", async () => {
    const { code } = await run(["--profile", "locktest", "--engine", "sqlite", "--", "node", "-e", "process.exit(7)"]).done;
    expect(code).toBe(7);
  });
});

// The attack of the security review: another local user reaching the unauthenticated
// FerretDB, or reading the PostgreSQL password from a command line.
describe.skipIf(!hasPostgres && !isRoot)("scripts/with-db.mjs keeps the embedded database to its own user (postgresql engine: needs Debian's postgresql, or root to install it)", () => {
  const profile = "sectest";
  const dir = path.join(root, `.data/${profile}-postgresql`);
  const stopFile = path.join(os.tmpdir(), `with-db-sectest-${process.pid}-${randomBytes(4).toString("hex")}`);
  const otherUser = `imgvt${randomBytes(6)
    .toString("hex")
    .replace(/[0-9]/g, (d) => "ghijklmnop"[Number(d)])}`;
  let userCreated = false;
  let runner: ReturnType<typeof run>;
  let watcher: ReturnType<typeof watchCmdlines>;
  let child: { uri: string; ping: number; found: number; planCacheMode: string; ginIndexes: string[]; psqlStatus: number };
  let pgData = "";

  // The command under with-db: uses the database as the app and the bench do, then waits.
  const command = `
    import { MongoClient } from "mongodb";
    import { spawnSync } from "node:child_process";
    import fs from "node:fs";
    const client = new MongoClient(process.env.MONGODB_URI, { serverSelectionTimeoutMS: 20000 });
    const db = client.db();
    const ping = (await db.command({ ping: 1 })).ok;
    await db.collection("probe").insertOne({ _id: "p1", v: 1 });
    const found = (await db.collection("probe").findOne({ _id: "p1" })).v;
    await client.close();
    // As the bench does: psql with EMBEDDED_PG_URL, the password coming from PGPASSFILE.
    const psql = (sql) => spawnSync("psql", [process.env.EMBEDDED_PG_URL, "-At", "-c", sql], { encoding: "utf8" });
    const mode = psql("SHOW plan_cache_mode");
    const gin = psql("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gin%' ORDER BY 1");
    console.log("READY " + JSON.stringify({ uri: process.env.MONGODB_URI, ping, found, psqlStatus: mode.status + gin.status,
      planCacheMode: mode.stdout.trim(), ginIndexes: gin.stdout.trim().split("\\n") }));
    while (!fs.existsSync(process.env.STOP_FILE)) await new Promise((r) => setTimeout(r, 100));`;

  beforeAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    watcher = watchCmdlines();
    env.STOP_FILE = stopFile;
    runner = run(["--profile", profile, "--engine", "postgresql", "--", process.execPath, "--input-type=module", "-e", command]);
    const ended = runner.done.then(() => "ended");
    while (!/^READY /m.test(runner.output())) {
      if ((await Promise.race([ended, new Promise((r) => setTimeout(r, 100))])) === "ended") {
        throw new Error(`with-db ended before the command was ready:\n${runner.output()}`);
      }
    }
    child = JSON.parse(/^READY (.*)$/m.exec(runner.output())![1]);
    pgData = fs.readFileSync(path.join(dir, "pg-cluster"), "utf8").trim();
  }, 300_000);

  afterAll(async () => {
    fs.writeFileSync(stopFile, "");
    if (runner?.child.exitCode === null) await runner.done;
    await watcher?.stop();
    fs.rmSync(stopFile, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
    if (userCreated) spawnSync("userdel", [otherUser]);
  }, 120_000);

  it("gives the command a Unix-socket MONGODB_URI that works, GIN indexes and force_custom_plan", () => {
    expect(child.uri).toMatch(/^mongodb:\/\/%2F[^/]+\.sock\/imagerepo_sectest\?directConnection=true$/);
    expect(child.ping).toBe(1);
    expect(child.found).toBe(1);
    expect(child.psqlStatus).toBe(0);
    expect(child.planCacheMode).toBe("force_custom_plan");
    expect(child.ginIndexes).toEqual(expect.arrayContaining(["fs_chunks_files_id_gin", "images_ownerId_gin", "images__id_gin"]));
  });

  it("has no TCP listener: FerretDB on a Unix socket only, PostgreSQL too", () => {
    const ferret = allCmdlines().filter((p) => p.args[0]?.includes("ferretdb") && p.args.some((a) => a.includes(dir)));
    expect(ferret).toHaveLength(1);
    const args = ferret[0].args;
    expect(args).toContain("--listen-addr=");
    expect(args.some((a) => /^--listen-unix=\/.+\.sock$/.test(a))).toBe(true);
    expect(tcpListenersOf(ferret[0].pid)).toEqual([]);

    // postmaster.pid: pid, data dir, start time, port, socket directory, listen address, ...
    const [pid, , , , socketDirectory, listenAddress] = fs.readFileSync(path.join(pgData, "postmaster.pid"), "utf8").split("\n");
    expect(listenAddress.trim()).toBe("");
    expect(socketDirectory).not.toBe("");
    expect(fs.statSync(socketDirectory).mode & 0o777).toBe(0o700);
    expect(tcpListenersOf(Number(pid))).toEqual([]);
  });

  it("refuses another local user: FerretDB and PostgreSQL are out of its reach", (ctx) => {
    if (!isRoot) ctx.skip("needs root to create a second local user (useradd); CI runs it as root");
    const name = otherUser;
    const add = spawnSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], { encoding: "utf8" });
    expect(add.status, add.stderr).toBe(0);
    userCreated = true;

    // Every way in that with-db's own files name: the MONGODB_URI's socket (or host:port, as
    // before), and PostgreSQL's socket and TCP address from its postmaster.pid.
    const u = new URL(child.uri);
    const ferret = u.hostname.endsWith(".sock") ? { path: decodeURIComponent(u.hostname), mongo: true } : { host: u.hostname, port: Number(u.port), mongo: true };
    const [, , , port, socketDirectory, listenAddress] = fs.readFileSync(path.join(pgData, "postmaster.pid"), "utf8").split("\n");
    const targets: object[] = [ferret];
    if (socketDirectory.trim()) targets.push({ path: path.join(socketDirectory.trim(), `.s.PGSQL.${port}`) });
    if (listenAddress.trim()) targets.push({ host: listenAddress.trim(), port: Number(port) });

    const attack = spawnSync("runuser", ["-u", name, "--", process.execPath, "-e", ATTACK], {
      cwd: "/",
      encoding: "utf8",
      env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH, TARGETS: JSON.stringify(targets) },
    });
    expect(attack.status, attack.stderr).toBe(0);
    const results = JSON.parse(attack.stdout) as { target: object; connected: boolean; code?: string; listed?: string }[];
    expect(results).toHaveLength(targets.length);
    for (const r of results) {
      expect(r, `another user reached ${JSON.stringify(r.target)}`).toMatchObject({ connected: false, code: "EACCES" });
    }
  });

  it("puts the PostgreSQL password on no command line, and deletes the throwaway cluster at the end", async () => {
    expect(fs.existsSync(path.join(pgData, "PG_VERSION"))).toBe(true);
    // One more look now that everything runs, then the whole run's record.
    const now = allCmdlines().filter((p) => p.args.join(" ").includes(JSON.parse(fs.readFileSync(path.join(root, ".data/secrets.json"), "utf8")).PG_PASSWORD));
    expect(now).toEqual([]);

    fs.writeFileSync(stopFile, "");
    const { code, output } = await runner.done;
    expect(code, output).toBe(0);
    const seen = await watcher.stop();
    expect(seen.scans).toBeGreaterThan(0);
    expect(seen.hits).toEqual([]);

    // Test and bench clusters do not pile up (about 100 MB each): gone with the run.
    expect(fs.existsSync(pgData), `${pgData} is left behind`).toBe(false);
    expect(fs.existsSync(path.join(dir, "pg-cluster"))).toBe(false);
    expect(allCmdlines().filter((p) => p.args.some((a) => a.includes(pgData) || a.includes(dir)))).toEqual([]);
  });
});
