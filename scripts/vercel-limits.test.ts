// Vercel readiness that can be checked without a server: every request body the app
// needs fits Vercel's 4.5 MB cap, and vercel.json's functions and crons point at real code.
import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { BEGIN_HEAD_BYTES } from "@/lib/schemas";
import { MAX_SELECTION_IDS, PACKED_ID_LENGTH } from "@/lib/selection-wire";
import { PART_SIZE } from "@/lib/uploads";

import nextConfig from "../next.config.js";

const VERCEL_BODY_LIMIT = 4.5 * 1000 * 1000;
const root = path.resolve(import.meta.dirname, "..");

/** `**` is any depth, `*` one name: enough for vercel.json's function globs. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  const pattern = escaped.replace(/\*\*\//g, "\0").replace(/\*/g, "[^/]*").replace(/\0/g, "(?:.*/)?");
  return new RegExp(`^${pattern}$`);
}

describe("Vercel limits", () => {
  it("no request body the app sends is above 4.5 MB", () => {
    // An upload part is a raw PUT body; begin carries the file's head in base64; a selection is packed ids.
    expect(PART_SIZE).toBeLessThan(VERCEL_BODY_LIMIT);
    expect(Math.ceil(BEGIN_HEAD_BYTES / 3) * 4 + 1024).toBeLessThan(VERCEL_BODY_LIMIT);
    expect(MAX_SELECTION_IDS * PACKED_ID_LENGTH + 1024).toBeLessThan(VERCEL_BODY_LIMIT);
    // Server actions refuse anything larger before it is read.
    expect(nextConfig.experimental?.serverActions?.bodySizeLimit).toBe("4.5mb");
  });

  it("vercel.json's function globs match route files, and its crons name routes", () => {
    const vercel = JSON.parse(fs.readFileSync(path.join(root, "vercel.json"), "utf8")) as {
      functions: Record<string, { memory: number; maxDuration: number }>;
      crons: { path: string; schedule: string }[];
    };
    const files = (fs.readdirSync(path.join(root, "app"), { recursive: true }) as string[]).map((f) => `app/${f.split(path.sep).join("/")}`);
    for (const [glob, config] of Object.entries(vercel.functions)) {
      expect(files.some((f) => globToRegExp(glob).test(f)), glob).toBe(true);
      expect(config.maxDuration).toBeLessThanOrEqual(300);
    }
    expect(vercel.crons.map((c) => c.path)).toContain("/api/cron/purge");
    expect(fs.existsSync(path.join(root, "app/api/cron/purge/route.ts"))).toBe(true);
  });
});
