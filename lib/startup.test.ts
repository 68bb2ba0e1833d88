import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { keysReady } from "@/lib/key-maintenance";
import { makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const root = path.resolve(import.meta.dirname, "..");

type Run = { code: number | null; stdout: string; stderr: string };

/** Starts a server's start-up checks in a child process, against this file's database unless told otherwise. */
function runStartup(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/testing/run-startup.ts"], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const newKey = () => randomBytes(32).toString("base64");

/** The key id this test process runs under (the start script's, or setup-db's). */
function currentKid(): string {
  return process.env.IMAGE_KEYS!.split(",")[0].split(":")[0];
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("startup", () => {
  it("starts with the key that encrypted the database", async () => {
    await keysReady(); // records the key check for this database
    const run = await runStartup({});
    expect(run.stderr).not.toContain("refusing to start");
    expect(run.stdout).toContain("[run-startup] startup returned");
    expect(run.code).toBe(0);
  });

  it("refuses to start when a key id names a different key, and says which", async () => {
    await keysReady();
    const kid = currentKid();
    const wrong = newKey();
    const run = await runStartup({ IMAGE_KEYS: `${kid}:${wrong}` });
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).not.toContain(wrong);
    expect(run.stderr).toContain("[startup] refusing to start:");
    expect(run.stderr).toContain(`IMAGE_KEYS key '${kid}' does not match the key that encrypted this database`);
    expect(run.stdout).not.toContain("startup returned");
  });

  it("starts, and names the key id, when stored images need a key IMAGE_KEYS no longer has", async () => {
    await uploadBytes({ ownerId: randomBytes(12).toString("hex"), name: "a.png", bytes: await makePng({ width: 8, height: 8 }) });
    const kid = currentKid();
    const run = await runStartup({ IMAGE_KEYS: `replacement:${newKey()}` });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("refusing to start");
    expect(run.stderr).toContain(`under key id(s) '${kid}', which IMAGE_KEYS does not configure`);
  });

  it("only logs a database that is down: the server starts and requests retry", async () => {
    const port = await closedPort();
    const run = await runStartup({ MONGODB_URI: `mongodb://127.0.0.1:${port}/down` });
    expect(run.stderr).toContain("[startup] database not reachable yet; requests will retry:");
    expect(run.stderr).not.toContain("refusing to start");
    expect(run.stdout).toContain("[run-startup] startup returned");
    expect(run.code).toBe(0);
  });
});
