import "server-only";

import { redirect } from "next/navigation";
import { cache } from "react";

import { auth } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { keysReady } from "@/lib/key-maintenance";

/**
 * For pages and layouts: the signed-in user, or a redirect to sign in (never
 * during an outage: the cookie may be fine). Cached per request, so a layout
 * and its page check the session once.
 */
export const requirePageUser = cache(async (): Promise<{ id: string; name: string; username: string }> => {
  const session = await auth();
  if (session?.unavailable) throw new AppError("unavailable");
  if (!session?.user?.id) redirect("/login");
  await keysReady();
  return { id: session.user.id, name: session.user.name ?? "", username: session.user.username };
});

/** For route handlers: the signed-in user's id, or null (callers answer 404, like a missing image); 503 during an outage. */
export async function routeUserId(): Promise<string | null> {
  const session = await auth();
  if (session?.unavailable) throw new AppError("unavailable");
  return session?.user?.id ?? null;
}
