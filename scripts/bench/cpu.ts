// CPU time per process of the bench's own stack (this worker, the app server,
// FerretDB, PostgreSQL), read from /proc: on a 2-core machine shared with other
// jobs, wall time alone cannot say where a transfer's time went, but the CPU
// each process burned during it can. Linux only; elsewhere every figure is null.
import fs from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux we run on

export type CpuParts = { worker: number; app: number; ferretdb: number; postgres: number };
export type CpuSnapshot = CpuParts & { at: number };

/** utime+stime (and, with children, cutime+cstime: children that exited and were reaped), in seconds. */
function procCpu(pid: number, withReapedChildren: boolean): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces and parentheses: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return (utime + stime + (withReapedChildren ? cutime + cstime : 0)) / TICKS_PER_SECOND;
  } catch {
    return 0; // gone meanwhile
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

function allPids(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** The processes to watch: found once by their listening ports (other people's FerretDBs run on this machine too). */
export type CpuTargets = { appPid: number | null; ferretPid: number | null; pgPid: number | null };

export function findCpuTargets({ appPid }: { appPid: number | null }): CpuTargets | null {
  if (process.platform !== "linux" || !fs.existsSync("/proc/self/stat")) return null;
  // scripts/with-db.mjs serves both on Unix sockets: FerretDB's path is the
  // URI's host, PostgreSQL's port is a `port=` query parameter.
  const uriHost = /^mongodb:\/\/([^/?]+)/.exec(process.env.MONGODB_URI ?? "")?.[1];
  const ferretSocket = uriHost ? decodeURIComponent(uriHost) : null;
  const pgPort = /[?&]port=(\d+)/.exec(process.env.EMBEDDED_PG_URL ?? "")?.[1];
  let ferretPid: number | null = null;
  let pgPid: number | null = null;
  for (const pid of allPids()) {
    const cmd = cmdline(pid);
    if (ferretSocket && cmd.includes("ferretdb") && cmd.includes(`--listen-unix=${ferretSocket}`)) ferretPid = pid;
    // The postmaster: pg_ctl passes "-p <port>" through -o.
    if (pgPort && /\/postgres\b/.test(cmd) && cmd.includes(` -p ${pgPort}`)) pgPid = pid;
  }
  return { appPid, ferretPid, pgPid };
}

/** Every process in the tree under `root` (the app server's workers, PostgreSQL's backends). */
function tree(root: number, pids: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(pid);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function treeCpu(root: number | null, pids: number[]): number {
  if (root === null) return 0;
  // The root's reaped-children time covers backends that already exited; live ones are added one by one.
  return tree(root, pids).reduce((sum, pid) => sum + procCpu(pid, pid === root), 0);
}

export function cpuSnapshot(targets: CpuTargets | null): CpuSnapshot | null {
  if (!targets) return null;
  const pids = allPids();
  return {
    at: performance.now(),
    worker: procCpu(process.pid, false),
    app: treeCpu(targets.appPid, pids),
    ferretdb: treeCpu(targets.ferretPid, pids),
    postgres: treeCpu(targets.pgPid, pids),
  };
}

/** CPU seconds each part used between two snapshots. */
export function cpuDelta(a: CpuSnapshot | null, b: CpuSnapshot | null): CpuParts | null {
  if (!a || !b) return null;
  return { worker: b.worker - a.worker, app: b.app - a.app, ferretdb: b.ferretdb - a.ferretdb, postgres: b.postgres - a.postgres };
}

export function addCpu(into: CpuParts, d: CpuParts | null): void {
  if (!d) return;
  into.worker += d.worker;
  into.app += d.app;
  into.ferretdb += d.ferretdb;
  into.postgres += d.postgres;
}
