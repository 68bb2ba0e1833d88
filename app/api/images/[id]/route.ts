import { z } from "zod";

import { getImageOverview } from "@/lib/image-traits";
import { authedRoute } from "@/lib/route";

export const GET = authedRoute({ params: z.object({ id: z.string().max(64) }) }, async ({ ownerId, params }) => {
  const details = await getImageOverview({ ownerId, imageId: params.id });
  return Response.json(details, { headers: { "Cache-Control": "private, no-store" } });
});
