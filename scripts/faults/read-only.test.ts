// Vercel readiness: the server runs as a user who cannot write anywhere in the
// checkout (only the build output is there to read), and everything still works:
// register, upload, list, zip, and a key rotation. No feature may need local disk.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { packIds } from "@/lib/selection-wire";

import { serverActionId, signIn } from "../bench/http";
import { type App, Client, noiseImage, ownDatabase, readAll, root, runuserAvailable, sha256, startApp, stopAllApps } from "./harness";

const dbName = ownDatabase("readonly");
const USER = "nobody";
const K1 = `k1:${randomBytes(32).toString("base64")}`;
const K2 = `k2:${randomBytes(32).toString("base64")}`;
process.env.IMAGE_KEYS = K1;

let proxy: net.Server;
let uri: string;

beforeAll(async () => {
  if (!runuserAvailable()) return;
  // The unprivileged user must be able to read the checkout (as a deployment's runtime reads
  // its build); a clone inside a 0700 directory (mktemp -d) cannot be, whatever the app does.
  const probe = spawnSync("runuser", ["-u", USER, "--", "test", "-r", path.join(root, "node_modules", "next", "package.json")]);
  if (probe.status !== 0) {
    throw new Error(`user ${USER} cannot read ${root}: run this test from a checkout whose parent directories others may traverse (chmod o+x)`);
  }
  // The embedded database listens on a socket only its owner may open; the unprivileged
  // server reaches it through this loopback relay, as it would reach Atlas over TCP.
  const socketPath = decodeURIComponent(/^mongodb:\/\/([^/]+\.sock)\//.exec(process.env.MONGODB_URI!)![1]);
  proxy = net.createServer((client) => {
    const upstream = net.connect({ path: socketPath });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  uri = `mongodb://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/${dbName}?directConnection=true`;
});

afterAll(async () => {
  await stopAllApps();
  proxy?.close();
  await (await getDb()).dropDatabase().catch(() => {});
  const { closeDb } = await import("@/lib/db");
  await closeDb();
});

/** Runs a command as the unprivileged user; asynchronous, so the relay in this process keeps serving it. */
function asUser(cmd: string[], env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("runuser", ["-u", USER, "--", ...cmd], { cwd: root, env: { ...process.env, MONGODB_URI: uri, MONGODB_DB: dbName, ...env } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (status) => resolve({ status, output }));
  });
}

describe.skipIf(!runuserAvailable())("no writes to local disk (as on Vercel)", () => {
  let app: App;

  it("the server's user cannot write to the checkout or the build output", async () => {
    for (const dir of [root, `${root}/.next`, `${root}/node_modules`]) expect((await asUser(["test", "-w", dir])).status).not.toBe(0);
  });

  it("registers, uploads, lists, zips and survives a key rotation, as a user who can write nothing there", async () => {
    app = await startApp({ runAs: USER, env: { MONGODB_URI: uri, MONGODB_DB: dbName, IMAGE_KEYS: K1, HOME: "/nonexistent" } });

    // Register through the real form's server action (it signs in and redirects).
    const username = `ro_${randomBytes(3).toString("hex")}`;
    const password = "read-only-password-1234";
    const registered = await fetch(`${app.baseUrl}/register`, {
      method: "POST",
      redirect: "manual",
      headers: { "next-action": serverActionId({ appDir: root, name: "registerAction", file: "app/(auth)/actions.ts" }), accept: "text/x-component", "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(["$undefined", { username, displayName: "Read Only", password, confirmPassword: password }]),
    });
    const answer = await registered.text();
    expect(registered.status, answer.slice(0, 300)).toBeLessThan(400);
    expect(answer).not.toMatch(/"status":"error"/);
    const client = new Client(app.baseUrl, await signIn({ baseUrl: app.baseUrl, username, password }));

    const file = await noiseImage(6, "read-only");
    const { id } = await client.upload("read-only.jpg", file);
    const listed = (await (await client.get("/api/images")).json()) as { items: { id: string }[] };
    expect(listed.items.map((i) => i.id)).toContain(id);
    expect((await client.get(`/api/images/${id}/thumb`)).status).toBe(200);
    const { url } = await client.ok<{ url: string }>("createZipDownloadAction", { selection: { ids: packIds([id]) } });
    const zip = await client.get(url);
    expect(zip.status).toBe(200);
    expect((await readAll(zip)).bytes.length).toBe(Number(zip.headers.get("content-length")));

    // Key rotation: a new primary key, the rewrap script run as the same user, then the old key dropped.
    await app.kill();
    const rotated = await asUser([process.execPath, "--conditions=react-server", "--import", "tsx", "scripts/rotate-keys.ts"], { IMAGE_KEYS: `${K2},${K1}`, HOME: "/nonexistent" });
    expect(rotated.status, rotated.output).toBe(0);
    app = await startApp({ runAs: USER, env: { MONGODB_URI: uri, MONGODB_DB: dbName, IMAGE_KEYS: K2, HOME: "/nonexistent" } });
    const after = client.on(app);
    const original = await after.get(`/api/images/${id}/original`);
    expect(original.status).toBe(200);
    expect((await readAll(original)).sha256).toBe(sha256(file));
    expect(app.output()).not.toMatch(/EACCES|EROFS|read-only file system/i);
  });
});
