import { listMonths } from "@/lib/image-listing";
import { authedRoute } from "@/lib/route";

/** The months that hold the owner's photos, with counts: the timeline's date scrubber. */
export const GET = authedRoute({}, async ({ ownerId }) =>
  Response.json({ months: await listMonths({ ownerId }) }, { headers: { "Cache-Control": "private, no-store" } }),
);
