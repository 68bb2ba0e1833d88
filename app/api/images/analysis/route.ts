import { analysisStates } from "@/lib/analysis-queue";
import { authedRoute } from "@/lib/route";

/** The owner's images still waiting for analysis (or failed, waiting for a retry): the tiles' "Analysing…" badges. */
export const GET = authedRoute({}, async ({ ownerId }) =>
  Response.json({ states: Object.fromEntries(await analysisStates({ ownerId })) }, { headers: { "Cache-Control": "private, no-store" } }),
);
