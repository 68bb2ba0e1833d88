import { Dashboard } from "@/components/dashboard";
import { limits } from "@/lib/config";
import { listImages } from "@/lib/images";
import { requirePageUser } from "@/lib/session";

export default async function DashboardPage() {
  const user = await requirePageUser();
  const initial = await listImages({ ownerId: user.id });
  const total = initial.total;
  return (
    <main className="mx-auto max-w-7xl p-4">
      <Dashboard initial={initial} total={total} maxBytes={limits.maxUploadBytes} />
    </main>
  );
}
