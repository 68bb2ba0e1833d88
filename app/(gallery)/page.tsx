import { TimelineView } from "@/components/gallery/timeline-view";
import { limits } from "@/lib/config";
import { listImages, listMonths } from "@/lib/images";
import { requirePageUser } from "@/lib/session";

export default async function TimelinePage() {
  const user = await requirePageUser();
  const [initial, months] = await Promise.all([listImages({ ownerId: user.id }), listMonths({ ownerId: user.id })]);
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4">
      <TimelineView initial={initial} months={months} maxBytes={limits.maxUploadBytes} retentionDays={limits.trashRetentionDays} />
    </main>
  );
}
