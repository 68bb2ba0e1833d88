import type { Metadata } from "next";

import { plural } from "@/components/format";
import { TrashView } from "@/components/gallery/trash-view";
import { limits } from "@/lib/config";
import { listImages } from "@/lib/image-listing";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Trash" };

/** The server's clock when the page renders: "N days left" is counted from it, the same on server and client. */
const renderTime = () => Date.now();

export default async function TrashPage() {
  const user = await requirePageUser();
  const initial = await listImages({ ownerId: user.id, trashed: true });
  const now = renderTime();
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4">
      <h1 className="mb-1 text-2xl font-semibold">Trash</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">Images here are deleted for good after {plural(limits.trashRetentionDays, "day")}.</p>
      <TrashView initial={initial} retentionDays={limits.trashRetentionDays} now={now} />
    </main>
  );
}
