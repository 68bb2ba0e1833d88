import { Toaster } from "sonner";

import { AppHeader } from "@/components/app-header";
import { GalleryProvider } from "@/components/gallery/gallery-context";
import { requirePageUser } from "@/lib/session";

/**
 * Signed-in pages share one header; each page still checks the session for
 * its own data. `modal` is the parallel slot where a photo opened from the
 * timeline shows as an overlay (an intercepted /photo/[id]); a reload or a
 * shared link renders /photo/[id] as a page of its own instead.
 */
export default async function SignedInLayout({ children, modal }: { children: React.ReactNode; modal: React.ReactNode }) {
  const user = await requirePageUser();
  return (
    <GalleryProvider>
      <AppHeader name={user.name} />
      {children}
      {modal}
      <Toaster theme="system" position="bottom-center" closeButton richColors={false} toastOptions={{ className: "!text-sm" }} />
    </GalleryProvider>
  );
}
