import { z } from "zod";

import { listAlbumImages } from "@/lib/albums";
import { authedRoute } from "@/lib/route";

const params = z.object({ id: z.uuid() });
const query = z.object({ cursor: z.string().max(200).optional() });

/** A page of an album, for its "Load more". */
export const GET = authedRoute({ params, query }, async ({ ownerId, params, query }) => {
  const page = await listAlbumImages({ ownerId, albumId: params.id, cursor: query.cursor });
  return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
});
