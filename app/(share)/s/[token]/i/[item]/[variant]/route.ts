import { cookies } from "next/headers";
import { z } from "zod";

import { clientAddress } from "@/lib/client-address";
import { bodyLength } from "@/lib/content-length";
import { contentDisposition, toBodyStream } from "@/lib/http";
import { publicRoute } from "@/lib/route";
import { ACCESS_COOKIE, openSharedVariant } from "@/lib/share-visitors";

const params = z.object({ token: z.string(), item: z.string(), variant: z.enum(["thumb", "preview", "original"]) });
const query = z.object({ download: z.string().optional() });

/**
 * One image of a share link. Every check (live link, password cookie, item
 * of this link, image not trashed) is in lib/share-visitors; nothing is cached
 * anywhere, so a revoke ends access with the next request.
 */
export const GET = publicRoute({ params, query }, async ({ params, query, request }) => {
  const download = query.download === "1";
  const shared = await openSharedVariant({
    token: params.token,
    itemId: params.item,
    variant: params.variant,
    download,
    access: (await cookies()).get(ACCESS_COOKIE)?.value,
    address: clientAddress({ headers: request.headers }),
  });
  return new Response(await toBodyStream(shared.body), {
    headers: {
      "Content-Type": shared.mime,
      ...bodyLength(shared.size),
      "Content-Disposition": contentDisposition({ type: download ? "attachment" : "inline", filename: shared.name }),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
});
