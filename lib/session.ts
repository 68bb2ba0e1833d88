import "server-only";

import { redirect } from "next/navigation";

import { auth } from "@/app/(auth)/auth";

/** For pages: the signed-in user, or a redirect to sign in. */
export async function requirePageUser(): Promise<{ id: string; name: string; username: string }> {
  const session = await auth();
  if (!session?.user?.id) redirect("/login");
  return { id: session.user.id, name: session.user.name ?? "", username: session.user.username };
}

/** For route handlers: the signed-in user's id, or null (callers answer 404, like a missing image). */
export async function routeUserId(): Promise<string | null> {
  const session = await auth();
  return session?.user?.id ?? null;
}
