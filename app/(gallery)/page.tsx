import { AppHeader } from "@/components/app-header";
import { Dashboard } from "@/components/dashboard";
import { limits } from "@/lib/config";
import { countImages, listImages } from "@/lib/images";
import { requirePageUser } from "@/lib/session";

export default async function DashboardPage() {
  const user = await requirePageUser();
  const [initial, total] = await Promise.all([listImages({ ownerId: user.id }), countImages({ ownerId: user.id })]);
  return (
    <>
      <AppHeader name={user.name} />
      <main className="mx-auto max-w-7xl p-4">
        <Dashboard initial={initial} total={total} maxBytes={limits.maxUploadBytes} />
      </main>
    </>
  );
}
