import { z } from "zod";

import { bodyLength } from "@/lib/content-length";
import { openZipDownload } from "@/lib/downloads";
import { contentDisposition, toBodyStream } from "@/lib/http";
import { authedRoute } from "@/lib/route";

/** Streams a zip of the owner's selection: no temporary file, one entry at a time. */
export const GET = authedRoute({ params: z.object({ token: z.string().max(200) }) }, async ({ ownerId, params }) => {
  const zip = await openZipDownload({ ownerId, token: params.token });
  return new Response(await toBodyStream(zip.body), {
    headers: {
      "Content-Type": "application/zip",
      ...bodyLength(zip.contentLength),
      "Content-Disposition": contentDisposition({ type: "attachment", filename: zip.filename }),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
});
