import type { Metadata } from "next";

import { TrashView } from "@/components/trash-view";
import { limits } from "@/lib/config";
import { listImages } from "@/lib/images";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Trash" };

export default async function TrashPage() {
  const user = await requirePageUser();
  const initial = await listImages({ ownerId: user.id, trashed: true });
  const total = initial.total;
  return (
    <main className="mx-auto max-w-7xl p-4">
      <h1 className="mb-1 text-2xl font-semibold">Trash</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Images here are deleted for good after {limits.trashRetentionDays} days.
      </p>
      <TrashView initial={initial} total={total} />
    </main>
  );
}
