import { AppHeader } from "@/components/app-header";
import { requirePageUser } from "@/lib/session";

export default async function DashboardPage() {
  const user = await requirePageUser();
  return (
    <>
      <AppHeader name={user.name} />
      <main className="mx-auto max-w-7xl p-4">
        <h1 className="sr-only">Your images</h1>
        <section className="mt-16 flex flex-col items-center gap-2 text-center">
          <p className="text-xl font-medium">No images yet</p>
          <p className="text-zinc-600 dark:text-zinc-400">Your gallery is empty. Uploaded images will appear here.</p>
        </section>
      </main>
    </>
  );
}
