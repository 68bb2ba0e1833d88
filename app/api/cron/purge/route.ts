import { runCronPurge } from "@/lib/cron";
import { publicRoute } from "@/lib/route";

// Vercel Cron (vercel.json) calls this with `Authorization: Bearer $CRON_SECRET`; each
// pass is bounded by the lease and idempotent, so a pass cut off by the function's time
// limit is finished by the next one.
export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = publicRoute({}, async ({ request }) => {
  const result = await runCronPurge({ authorization: request.headers.get("authorization") });
  return Response.json(result, { headers: { "Cache-Control": "no-store" } });
});
