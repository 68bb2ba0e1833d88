import { cookies } from "next/headers";
import { z } from "zod";

import { clientAddress } from "@/lib/client-address";
import { publicRoute } from "@/lib/route";
import { ACCESS_COOKIE, listSharedItems } from "@/lib/share-visitors";

const query = z.object({ offset: z.coerce.number().int().min(0).max(10_000_000) });

/** The next page of a share link's images (opaque item ids only). */
export const GET = publicRoute({ params: z.object({ token: z.string() }), query }, async ({ params, query, request }) => {
  const page = await listSharedItems({
    token: params.token,
    offset: query.offset,
    access: (await cookies()).get(ACCESS_COOKIE)?.value,
    address: clientAddress({ headers: request.headers }),
  });
  return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
});
