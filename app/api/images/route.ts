import { z } from "zod";

import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http";
import { listImages } from "@/lib/images";
import { routeUserId } from "@/lib/session";

const query = z.object({
  cursor: z.string().max(200).optional(),
  trash: z.literal("1").optional(),
  from: z.string().regex(/^\d{4}-\d{2}$/).optional(),
});

export async function GET(request: Request) {
  try {
    const ownerId = await routeUserId();
    if (!ownerId) throw new AppError("unauthorized");
    const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) throw new AppError("invalid_input");
    const page = await listImages({ ownerId, cursor: parsed.data.cursor, trashed: parsed.data.trash === "1", from: parsed.data.from });
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
