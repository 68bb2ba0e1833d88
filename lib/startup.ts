import "server-only";

import { limits } from "@/lib/config";
import { sweepExpiredTokens } from "@/lib/downloads";
import { imagesDb, purgeExpiredTrash } from "@/lib/images";
import { sweepExpiredSessions } from "@/lib/auth-sessions";
import { sweepExpiredLocks } from "@/lib/locks";
import { sweepExpiredChallenges } from "@/lib/passkeys";
import { sweepExpiredAttempts } from "@/lib/rate-limit";
import { maybeSweep } from "@/lib/uploads";

/**
 * Start-up checks: a wrong IMAGE_KEYS must fail loudly now rather than turn
 * into integrity errors later. A database that is not up yet is only logged:
 * requests retry the connection and answer "temporarily unavailable".
 */
export async function startup(): Promise<void> {
  try {
    await imagesDb();
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (name.startsWith("Mongo")) {
      console.error("[startup] database not reachable yet; requests will retry:", (err as Error).message);
      return;
    }
    console.error("\n[startup] refusing to start:", err instanceof Error ? err.message : err, "\n");
    process.exit(1);
  }
  void housekeeping();
  // Serverless platforms have no long-lived process: there after() and the cron route drain the queue.
  if (!process.env.VERCEL && process.env.ANALYSIS !== "off") (await import("@/lib/analysis-queue")).startAnalysisLoop();
  // Abandoned uploads, old trash, expired links and rate-limit windows are swept periodically too.
  setInterval(() => void housekeeping(), 15 * 60_000).unref();
}

async function housekeeping(): Promise<void> {
  await maybeSweep();
  for (const job of [
    () => purgeExpiredTrash({ olderThanDays: limits.trashRetentionDays }),
    sweepExpiredTokens,
    sweepExpiredAttempts,
    sweepExpiredSessions,
    sweepExpiredLocks,
    sweepExpiredChallenges,
  ]) {
    try {
      await job();
    } catch (err) {
      console.error("[housekeeping]", err instanceof Error ? err.message : err);
    }
  }
}
