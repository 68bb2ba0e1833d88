import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http";
import { listMonths } from "@/lib/images";
import { routeUserId } from "@/lib/session";

/** The months that hold the owner's photos, with counts: the timeline's date scrubber. */
export async function GET() {
  try {
    const ownerId = await routeUserId();
    if (!ownerId) throw new AppError("unauthorized");
    return Response.json({ months: await listMonths({ ownerId }) }, { headers: { "Cache-Control": "private, no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
