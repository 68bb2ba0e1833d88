// The real app over HTTP for the bench: `next start` on a free loopback port and
// an Auth.js credentials sign-in that yields the session cookie.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { log } from "./util";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type RunningApp = { baseUrl: string; pid: number | null; stop: () => Promise<void> };

/**
 * Starts `next start` for the build in `appDir` in its own process group (so it
 * can be stopped whole), with the database env of this process.
 */
export async function startApp({
  appDir,
  logFile,
  nodeArgs = [],
}: {
  appDir: string;
  logFile: string;
  /** Node flags for the app server, e.g. ["--cpu-prof", "--cpu-prof-dir=..."] (BENCH_CPU_PROF; not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}): Promise<RunningApp> {
  const root = process.cwd();
  if (!fs.existsSync(path.join(appDir, ".next", "BUILD_ID"))) throw new Error(`no \`next build\` output in ${appDir}/.next`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, "w");
  const env: NodeJS.ProcessEnv = { ...process.env, AUTH_URL: baseUrl, AUTH_TRUST_HOST: "true", NODE_ENV: "production" };
  // This process runs with --conditions=react-server; the app server must not inherit that.
  delete env.NODE_OPTIONS;
  // The app server uses the database named in MONGODB_URI, as in production.
  delete env.MONGODB_DB;
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    { cwd: appDir, env, stdio: ["ignore", out, out], detached: true },
  );
  const pid = child.pid;
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const killGroup = (sig: NodeJS.Signals) => {
    if (exited || !pid) return;
    try {
      process.kill(-pid, sig);
    } catch {
      /* already gone */
    }
  };
  // Even if the worker dies on an exception, the app server goes with it.
  const onExit = () => killGroup("SIGKILL");
  process.on("exit", onExit);

  const stop = async () => {
    process.off("exit", onExit);
    killGroup("SIGTERM");
    const deadline = Date.now() + 5000;
    while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    killGroup("SIGKILL");
    fs.closeSync(out);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`next start exited early; see ${path.relative(root, logFile)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/login`, { redirect: "manual" });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer within 60 s; see ${path.relative(root, logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`next start on ${baseUrl} (log: ${path.relative(root, logFile)})`);
  return { baseUrl, pid: pid ?? null, stop };
}

/** A tiny cookie jar: name=value pairs from Set-Cookie headers. */
class Jar {
  private readonly values = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.values.delete(name);
      else this.values.set(name, value);
    }
  }
  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  has(name: string) {
    return this.values.has(name);
  }
}

/** Signs in through Auth.js's credentials callback, as the login form ends up doing; returns the Cookie header. */
export async function signIn({ baseUrl, username, password }: { baseUrl: string; username: string; password: string }): Promise<string> {
  const jar = new Jar();
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  jar.take(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ username, password, csrfToken, callbackUrl: `${baseUrl}/` }).toString(),
  });
  await res.arrayBuffer();
  jar.take(res);
  if (!jar.has("authjs.session-token")) throw new Error(`sign-in over HTTP failed (status ${res.status}, location ${res.headers.get("location")})`);
  const cookie = jar.header();
  const session = await fetch(`${baseUrl}/api/auth/session`, { headers: { cookie } });
  const body = (await session.json()) as { user?: { username?: string } } | null;
  if (body?.user?.username !== username) throw new Error("signed in, but /api/auth/session does not show the user");
  return cookie;
}

/** The id under which `next build` registered a server action, from the build's manifest. */
export function serverActionId({ appDir, name, file }: { appDir: string; name: string; file: string }): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(appDir, ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string; filename?: string }>;
  };
  const found = Object.entries(manifest.node).find(([, v]) => v.exportedName === name && v.filename?.endsWith(file));
  if (!found) throw new Error(`server action ${name} (${file}) is not in the build's manifest`);
  return found[0];
}

/**
 * Calls a server action over HTTP the way the browser's React client does:
 * POST to a page that uses it with the `Next-Action` header and the arguments
 * as JSON (React's reply encoding for plain JSON values), then reads the
 * result from the RSC response. `prevState` is undefined, as with a direct call.
 */
export async function callServerAction<T>({
  baseUrl,
  cookie,
  actionId,
  input,
  page = "/",
}: {
  baseUrl: string;
  cookie: string;
  actionId: string;
  input: unknown;
  page?: string;
}): Promise<T> {
  const res = await fetch(`${baseUrl}${page}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "next-action": actionId, accept: "text/x-component", "content-type": "text/plain;charset=UTF-8" },
    // Strings starting with "$" would need escaping as "$$"; the bench's values never do.
    body: JSON.stringify(["$undefined", input]),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`server action answered ${res.status}: ${text.slice(0, 200)}`);
  // Rows are `<id>:<json>`; the action's return value is the row that is not the envelope (row 0).
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (!m || m[1] === "0") continue;
    return JSON.parse(m[2]) as T;
  }
  throw new Error(`no result in the server action's response: ${text.slice(0, 200)}`);
}
