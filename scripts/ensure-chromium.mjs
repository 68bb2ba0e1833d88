#!/usr/bin/env node
// Playwright cannot download its own browser here, so the tests drive Debian's chromium.
// Installs it when missing (as root), or says exactly what to install.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (fs.existsSync(path)) process.exit(0);

if (process.getuid?.() !== 0) {
  console.error(`Chromium is missing at ${path}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
  process.exit(1);
}
console.error("[ensure-chromium] installing Debian's chromium (first time only)...");
const run = (args) => spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
if (run(["update", "-qq"]).status !== 0 || run(["install", "-y", "-qq", "chromium"]).status !== 0 || !fs.existsSync(path)) {
  console.error("[ensure-chromium] could not install chromium; install it by hand: apt-get install -y chromium");
  process.exit(1);
}
