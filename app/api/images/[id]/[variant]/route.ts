import { z } from "zod";

import { bodyLength } from "@/lib/content-length";
import { contentDisposition, parseRange, toBodyStream } from "@/lib/http";
import { openImageVariant } from "@/lib/images";
import { authedRoute } from "@/lib/route";

const params = z.object({ id: z.string().max(64), variant: z.enum(["thumb", "preview", "original"]) });
// Unknown values are ignored rather than refused: old links and cache-busters keep working.
const query = z.object({ download: z.string().optional(), trash: z.string().optional() });

/** Streams one decrypted variant to its owner; everyone else gets 404. */
export const GET = authedRoute({ params, query }, async ({ ownerId, params, query, request }) => {
  const { id, variant } = params;
  const download = query.download === "1";

  const head = await openImageVariant({ ownerId, imageId: id, variant, inTrash: query.trash === "1" });
  const common: Record<string, string> = {
    "Content-Type": head.mime,
    "X-Content-Type-Options": "nosniff",
    // Revalidated every time (cheap 304s by ETag): a revoked session or deleted image must not live on in a cache.
    "Cache-Control": "private, no-cache",
    ETag: head.etag,
    Vary: "Cookie",
  };
  if (variant === "original") {
    common["Accept-Ranges"] = "bytes";
    common["Content-Disposition"] = contentDisposition({ type: download ? "attachment" : "inline", filename: head.name });
  }
  if (request.headers.get("if-none-match") === head.etag) {
    return new Response(null, { status: 304, headers: common });
  }

  const range = variant === "original" ? parseRange(request.headers.get("range"), head.size) : null;
  if (range === "invalid") {
    return new Response(null, { status: 416, headers: { ...common, "Content-Range": `bytes */${head.size}` } });
  }
  const body = await toBodyStream(head.read(range));
  if (range) {
    return new Response(body, {
      status: 206,
      headers: { ...common, ...bodyLength(range.end - range.start + 1), "Content-Range": `bytes ${range.start}-${range.end}/${head.size}` },
    });
  }
  return new Response(body, { status: 200, headers: { ...common, ...bodyLength(head.size) } });
});
