import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http";
import { getImageDetails } from "@/lib/images";
import { routeUserId } from "@/lib/session";

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    const ownerId = await routeUserId();
    if (!ownerId) throw new AppError("unauthorized");
    const { id } = await ctx.params;
    const details = await getImageDetails({ ownerId, imageId: id });
    return Response.json(details, { headers: { "Cache-Control": "private, no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
