import { bodyLength } from "@/lib/content-length";
import { openZipDownload } from "@/lib/downloads";
import { AppError } from "@/lib/errors";
import { contentDisposition, errorResponse, toBodyStream } from "@/lib/http";
import { routeUserId } from "@/lib/session";

/** Streams a zip of the owner's selection: no temporary file, one entry at a time. */
export async function GET(_request: Request, ctx: { params: Promise<{ token: string }> }) {
  try {
    const ownerId = await routeUserId();
    if (!ownerId) throw new AppError("unauthorized");
    const { token } = await ctx.params;
    const zip = await openZipDownload({ ownerId, token });
    return new Response(await toBodyStream(zip.body), {
      headers: {
        "Content-Type": "application/zip",
        ...bodyLength(zip.contentLength),
        "Content-Disposition": contentDisposition({ type: "attachment", filename: zip.filename }),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
