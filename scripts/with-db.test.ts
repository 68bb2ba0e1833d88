import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const script = path.join(root, "scripts/with-db.mjs");
const dataDir = path.join(root, ".data/locktest-sqlite");
// The embedded path runs only without MONGODB_URI.
const env = { ...process.env, MONGODB_URI: "" };

function run(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, env });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  return { child, done: new Promise((resolve) => child.on("exit", (code) => resolve({ code, output }))) };
}

function ferretProcessesFor(dir: string): string[] {
  const out = execFileSync("ps", ["-eo", "args"]).toString();
  return out.split("\n").filter((line) => line.includes("ferretdb") && line.includes(dir));
}

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
    expect(result.output).toMatch(/URI=mongodb:\/\/127\.0\.0\.1:\d+\/imagerepo_locktest\?directConnection=true/);
    expect(ferretProcessesFor(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "server.pid"))).toBe(false);
  });

  it("passes the command's exit code through", async () => {
    const { code } = await run(["--profile", "locktest", "--engine", "sqlite", "--", "node", "-e", "process.exit(7)"]).done;
    expect(code).toBe(7);
  });
});
