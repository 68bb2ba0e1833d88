import type { Metadata } from "next";

import { SharesList } from "@/components/shares/shares-list";
import { requirePageUser } from "@/lib/session";
import { listShares } from "@/lib/shares";

export const metadata: Metadata = { title: "Shared links" };

export default async function SharesPage() {
  const user = await requirePageUser();
  const shares = await listShares({ ownerId: user.id });
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4 pb-10">
      <h1 className="mb-2 text-2xl font-semibold">Shared links</h1>
      <SharesList shares={shares} />
    </main>
  );
}
