import "server-only";

import { createHash, timingSafeEqual } from "node:crypto";

import { AppError } from "@/lib/errors";
import { type HousekeepingRun, runHousekeeping } from "@/lib/housekeeping";

/**
 * Scheduled jobs called over HTTP (Vercel Cron, or any scheduler with curl):
 * authorised by `Authorization: Bearer $CRON_SECRET`. Without CRON_SECRET the
 * endpoints do not exist (404), so a server nobody configured for cron cannot
 * be made to work by strangers.
 */
function authorizeCron({ authorization }: { authorization: string | null }): void {
  const secret = process.env.CRON_SECRET;
  if (!secret) throw new AppError("not_found");
  // Hashing first makes the comparison constant-time whatever the lengths.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  if (!authorization || !timingSafeEqual(digest(authorization), digest(`Bearer ${secret}`))) throw new AppError("not_found");
}

/** The trash purge and the sweepers, under the housekeeping lease: a second caller meanwhile gets `ran: false`. */
export async function runCronPurge({ authorization }: { authorization: string | null }): Promise<HousekeepingRun> {
  authorizeCron({ authorization });
  return runHousekeeping();
}
