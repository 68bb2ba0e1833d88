import "server-only";

import { sweepExpiredSessions } from "@/lib/auth-sessions";
import { limits } from "@/lib/config";
import { sweepExpiredTokens } from "@/lib/downloads";
import { purgeExpiredTrash } from "@/lib/image-selection";
import { HOUSEKEEPING_LEASE, HOUSEKEEPING_LEASE_MS, sweepExpiredLocks, tryLock } from "@/lib/locks";
import { sweepExpiredChallenges } from "@/lib/passkeys";
import { sweepExpiredAttempts } from "@/lib/rate-limit";
import { sweepUploads } from "@/lib/uploads";

/**
 * Periodic work (the upload sweeper, the trash purge, expired tokens and
 * windows) runs under one lease in the database, so any number of instances
 * sharing it — timers in long-lived servers, a Vercel cron, `begin` nudging the
 * sweeper — never run two passes at once. A holder that dies mid-pass is
 * overtaken when the lease expires; every job is idempotent, so a pass cut
 * short is simply finished by the next one. Background jobs added later take
 * the same lease (HOUSEKEEPING_LEASE in lib/locks).
 */

export type HousekeepingRun = { ran: false } | { ran: true; uploads: number; files: number; purged: number; failed: string[] };

export async function runHousekeeping(): Promise<HousekeepingRun> {
  const lease = await tryLock({ name: HOUSEKEEPING_LEASE, ttlMs: HOUSEKEEPING_LEASE_MS });
  if (!lease) return { ran: false };
  const failed: string[] = [];
  const attempt = async <T>(name: string, job: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await job();
    } catch (err) {
      // One job failing (the database went away mid-pass) must not skip the others next time.
      failed.push(name);
      console.error(`[housekeeping] ${name}:`, err instanceof Error ? err.message : err);
      return fallback;
    }
  };
  try {
    const swept = await attempt("uploads", sweepUploads, { uploads: 0, files: 0, counters: 0 });
    const purged = await attempt("trash", () => purgeExpiredTrash({ olderThanDays: limits.trashRetentionDays }), 0);
    await attempt("download tokens", sweepExpiredTokens, undefined);
    await attempt("rate limits", sweepExpiredAttempts, undefined);
    await attempt("sessions", sweepExpiredSessions, undefined);
    await attempt("passkey challenges", sweepExpiredChallenges, undefined);
    await attempt("locks", sweepExpiredLocks, 0);
    return { ran: true, uploads: swept.uploads, files: swept.files, purged, failed };
  } finally {
    await lease.release().catch(() => {});
  }
}
