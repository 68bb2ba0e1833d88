import type { Metadata } from "next";

import { DuplicatesView } from "@/components/gallery/duplicates-view";
import { getSkipDuplicates, listDuplicateGroups } from "@/lib/duplicates";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Duplicates" };

export default async function DuplicatesPage() {
  const user = await requirePageUser();
  const [groups, skip] = await Promise.all([listDuplicateGroups({ ownerId: user.id }), getSkipDuplicates({ ownerId: user.id })]);
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4 pb-16">
      <h1 className="mb-1 text-2xl font-semibold">Duplicates</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Copies of the same picture, also resized, recompressed or lightly edited. The largest copy of each group is kept unless you choose otherwise.
      </p>
      <DuplicatesView groups={groups} skipDuplicates={skip} />
    </main>
  );
}
