// One `next build` for every fault test's servers; CI has just built (npm test) and says so.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export function setup() {
  const root = path.resolve(import.meta.dirname, "../..");
  if (!process.env.MONGODB_URI) throw new Error("run the fault tests with `npm run test:faults` (scripts/with-db.mjs provides the database)");
  if (process.env.FAULTS_REUSE_BUILD === "1" && fs.existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("next build failed");
}

/** A FerretDB that a test restarted is not with-db's child: stopped here, before with-db stops PostgreSQL. */
export async function teardown() {
  const { Ferret, embeddedDb } = await import("./harness");
  if (!embeddedDb()) return;
  try {
    Ferret.find().terminateIfRestarted();
  } catch (err) {
    console.error("[faults] could not stop a restarted FerretDB:", err);
  }
}
