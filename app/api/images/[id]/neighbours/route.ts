import { z } from "zod";

import { getImageNeighbours } from "@/lib/image-listing";
import { authedRoute } from "@/lib/route";

/** Previous and Next for a photo's own page, which has no list loaded. */
export const GET = authedRoute({ params: z.object({ id: z.string().max(64) }) }, async ({ ownerId, params }) => {
  const neighbours = await getImageNeighbours({ ownerId, imageId: params.id });
  return Response.json(neighbours, { headers: { "Cache-Control": "private, no-store" } });
});
