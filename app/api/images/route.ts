import { z } from "zod";

import { listImages } from "@/lib/image-listing";
import { authedRoute } from "@/lib/route";

const query = z.object({
  cursor: z.string().max(200).optional(),
  trash: z.literal("1").optional(),
  from: z.string().regex(/^\d{4}-\d{2}$/).optional(),
});

export const GET = authedRoute({ query }, async ({ ownerId, query }) => {
  const page = await listImages({ ownerId, cursor: query.cursor, trashed: query.trash === "1", from: query.from });
  return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
});
