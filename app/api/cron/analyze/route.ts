import { runAnalysisCron } from "@/lib/analysis-queue";
import { publicRoute } from "@/lib/route";

// Vercel Cron calls this with `Authorization: Bearer $CRON_SECRET` (README, "Deploying to Vercel").
export const maxDuration = 60;

export const GET = publicRoute({}, async ({ request }) =>
  Response.json(await runAnalysisCron({ authorization: request.headers.get("authorization") }), {
    headers: { "Cache-Control": "no-store" },
  }),
);
