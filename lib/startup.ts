import "server-only";

import { limits } from "@/lib/config";
import { runHousekeeping } from "@/lib/housekeeping";
import { keysReady } from "@/lib/key-maintenance";

/**
 * Start-up checks: a wrong IMAGE_KEYS must fail loudly now rather than turn
 * into integrity errors later. A database that is not up yet is only logged:
 * requests retry the connection and answer "temporarily unavailable".
 */
export async function startup(): Promise<void> {
  try {
    await keysReady();
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (name.startsWith("Mongo")) {
      console.error("[startup] database not reachable yet; requests will retry:", (err as Error).message);
    } else {
      console.error("\n[startup] refusing to start:", err instanceof Error ? err.message : err, "\n");
      process.exit(1);
    }
  }
  void housekeeping();
  // Serverless platforms have no long-lived process: there after() and the cron route drain the queue.
  if (!process.env.VERCEL && process.env.ANALYSIS !== "off") (await import("@/lib/analysis-queue")).startAnalysisLoop();
  // Abandoned uploads, old trash, expired links and rate-limit windows are swept periodically
  // too; with several instances (or a Vercel cron as well) the lease lets one run at a time.
  setInterval(() => void housekeeping(), limits.housekeepingSeconds * 1000).unref();
}

async function housekeeping(): Promise<void> {
  try {
    await runHousekeeping();
  } catch (err) {
    console.error("[housekeeping]", err instanceof Error ? err.message : err);
  }
}
