import "server-only";

import { redirect } from "next/navigation";

import { auth } from "@/app/(auth)/auth";

/** For pages: the signed-in user, or a redirect to sign in. */
export async function requirePageUser(): Promise<{ id: string; name: string; username: string }> {
  const session = await auth();
  if (!session?.user?.id) redirect("/login");
  return { id: session.user.id, name: session.user.name ?? "", username: session.user.username };
}
