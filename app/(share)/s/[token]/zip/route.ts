import { cookies } from "next/headers";
import { z } from "zod";

import { clientAddress } from "@/lib/client-address";
import { bodyLength } from "@/lib/content-length";
import { contentDisposition, toBodyStream } from "@/lib/http";
import { publicRoute } from "@/lib/route";
import { ACCESS_COOKIE, openSharedZip } from "@/lib/share-visitors";

/** "Download all": the link's images, cleaned of metadata unless the owner allowed it, streamed as one zip. */
export const GET = publicRoute({ params: z.object({ token: z.string() }) }, async ({ params, request }) => {
  const zip = await openSharedZip({
    token: params.token,
    access: (await cookies()).get(ACCESS_COOKIE)?.value,
    address: clientAddress({ headers: request.headers }),
  });
  return new Response(await toBodyStream(zip.body), {
    headers: {
      "Content-Type": "application/zip",
      ...bodyLength(zip.contentLength),
      "Content-Disposition": contentDisposition({ type: "attachment", filename: zip.filename }),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      "Referrer-Policy": "no-referrer",
    },
  });
});
