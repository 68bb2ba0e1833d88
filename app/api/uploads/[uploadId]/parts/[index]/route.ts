import { z } from "zod";

import { readBodyCapped } from "@/lib/http";
import { authedRoute } from "@/lib/route";
import { PART_SIZE, putPart } from "@/lib/uploads";

const params = z.object({ uploadId: z.uuid(), index: z.coerce.number().int().min(0).max(1_000_000) });

// Parts are a route, not a server action: the browser needs several in flight and byte progress.
export const PUT = authedRoute({ params }, async ({ ownerId, params, request }) => {
  const bytes = await readBodyCapped(request, PART_SIZE);
  await putPart({ ownerId, uploadId: params.uploadId, index: params.index, bytes });
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
});
