import "server-only";

import { imagesDb } from "@/lib/images";
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
  void maybeSweep();
  void sweepExpiredAttempts().catch(() => {});
  // Abandoned uploads and expired rate-limit windows are swept periodically too.
  setInterval(() => {
    void maybeSweep();
    void sweepExpiredAttempts().catch(() => {});
  }, 15 * 60_000).unref();
}
