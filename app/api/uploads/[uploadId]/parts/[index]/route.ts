import { z } from "zod";

import { AppError } from "@/lib/errors";
import { errorResponse, readBodyCapped } from "@/lib/http";
import { routeUserId } from "@/lib/session";
import { PART_SIZE, putPart } from "@/lib/uploads";

const params = z.object({ uploadId: z.uuid(), index: z.coerce.number().int().min(0).max(1_000_000) });

// Parts are a route, not a server action: the browser needs several in flight and byte progress.
export async function PUT(request: Request, ctx: { params: Promise<{ uploadId: string; index: string }> }) {
  try {
    const ownerId = await routeUserId();
    if (!ownerId) throw new AppError("unauthorized");
    const parsed = params.safeParse(await ctx.params);
    if (!parsed.success) throw new AppError("not_found");
    const bytes = await readBodyCapped(request, PART_SIZE);
    await putPart({ ownerId, uploadId: parsed.data.uploadId, index: parsed.data.index, bytes });
    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
