import { listAlbums } from "@/lib/albums";
import { authedRoute } from "@/lib/route";

/** The owner's albums, for the "Add to album" picker. */
export const GET = authedRoute({}, async ({ ownerId }) => {
  const albums = await listAlbums({ ownerId });
  return Response.json(albums, { headers: { "Cache-Control": "private, no-store" } });
});
