import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import { notFound } from "next/navigation";

import { SharedGallery } from "@/components/shares/shared-gallery";
import { UnlockForm } from "@/components/shares/unlock-form";
import { clientAddress } from "@/lib/client-address";
import { isAppError } from "@/lib/errors";
import { ACCESS_COOKIE, openSharePage } from "@/lib/share-visitors";

// Nothing about the owner: no name unless they chose one for this link, no ids.
export const metadata: Metadata = { title: "Shared photos", robots: { index: false, follow: false }, referrer: "no-referrer" };

/**
 * A share link, outside the signed-in area (proxy.ts lets /s/ through). Every
 * failure (unknown, malformed, expired, revoked) is the same 404 page.
 */
export default async function SharePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let entry;
  try {
    entry = await openSharePage({
      token,
      access: (await cookies()).get(ACCESS_COOKIE)?.value,
      address: clientAddress({ headers: await headers() }),
    });
  } catch (err) {
    if (isAppError(err) && err.code === "not_found") notFound();
    if (isAppError(err) && err.code === "rate_limited") {
      return (
        <main className="flex min-h-screen items-center justify-center p-4">
          <p role="alert" className="max-w-md text-center">
            {err.message}
          </p>
        </main>
      );
    }
    throw err;
  }
  if (entry.locked) {
    return (
      <main className="flex min-h-screen items-center justify-center p-4">
        <UnlockForm token={token} />
      </main>
    );
  }
  const { view } = entry;
  return (
    <main className="mx-auto max-w-7xl px-4 pt-6 pb-10">
      <h1 className="text-2xl font-semibold">{view.title || "Shared photos"}</h1>
      {view.displayName ? <p className="text-sm text-zinc-600 dark:text-zinc-400">Shared by {view.displayName}</p> : null}
      {view.description ? <p className="mt-1 text-zinc-700 dark:text-zinc-300">{view.description}</p> : null}
      <SharedGallery token={token} initial={view.page} allowDownload={view.allowDownload} />
    </main>
  );
}
