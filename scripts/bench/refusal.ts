// Section "refusal": how soon a file that is not an image is refused, beside
// how long a valid 1×1 JPEG takes to be done, over the real HTTP path in one
// run (issue 9 §2: the refusal must come no later than a tiny image's success).
// The browser sends the first 64 KiB with begin, so junk is refused there.
import path from "node:path";

import { makeJpeg } from "@/lib/testing/fixtures";
import { createUser } from "@/lib/users";

import { AppClient } from "./app-client";
import { startApp } from "./http";
import { type SectionContext, envNumber, median, now } from "./util";

const PASSWORD = "bench-password-1234";

const JUNK: { key: string; label: string; name: string; bytes: Buffer }[] = [
  { key: "text_as_jpg", label: "840-byte text file named .jpg", name: "notes.jpg", bytes: Buffer.from("Meeting notes\n".repeat(60)) },
  {
    key: "svg",
    label: "139-byte SVG",
    name: "logo.svg",
    bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>\n'),
  },
];

export async function sectionRefusal(ctx: SectionContext) {
  const S = "refusal";
  await ctx.freshDatabase(null);
  await createUser({ username: "bench_refusal", displayName: "Bench", password: PASSWORD });
  const appDir = process.env.BENCH_APP_DIR || process.cwd();
  const app = await startApp({ appDir, logFile: path.join(process.cwd(), "bench-results", `next-refusal-${ctx.engineShort}.log`) });
  try {
    const client = await AppClient.signIn({ baseUrl: app.baseUrl, appDir, username: "bench_refusal", password: PASSWORD });
    const tiny = await makeJpeg({ width: 1, height: 1 });
    const reps = Math.round(envNumber("BENCH_REFUSAL_REPS", 15));
    // Warm-up: the first calls load the action and route bundles.
    await client.upload(tiny, "warm.jpg");
    for (const junk of JUNK) await client.beginState(junk.name, junk.bytes.length, junk.bytes);

    const done: number[] = [];
    const refused: Record<string, number[]> = Object.fromEntries(JUNK.map((j) => [j.key, []]));
    // Interleaved, so a neighbour's load lands on both sides alike.
    for (let i = 0; i < reps; i++) {
      done.push((await client.upload(tiny, `tiny-${i}.jpg`)).totalMs);
      for (const junk of JUNK) {
        const t0 = now();
        const state = await client.beginState(junk.name, junk.bytes.length, junk.bytes);
        refused[junk.key].push(now() - t0);
        if (state.status !== "error" || state.code !== "unsupported_type") {
          throw new Error(`${junk.label} was not refused as unsupported_type: ${JSON.stringify(state)}`);
        }
      }
    }
    const doneMs = median(done);
    ctx.put(S, "tiny_done", "valid 1×1 JPEG: begin → part → complete (done)", "ms", doneMs, `${reps} samples, median`);
    for (const junk of JUNK) {
      const ms = median(refused[junk.key]);
      ctx.put(S, `${junk.key}_refused`, `${junk.label}: time to refusal`, "ms", ms, `${reps} samples, median`);
      ctx.put(S, `${junk.key}_ratio`, `${junk.label}: refusal ÷ 1×1 JPEG done (target ≤ 1)`, "×", ms / doneMs);
    }
  } finally {
    await app.stop();
  }
}
