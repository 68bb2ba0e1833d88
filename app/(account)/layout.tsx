import { AppHeader } from "@/components/app-header";
import { requirePageUser } from "@/lib/session";

/** Signed-in pages share one header; each page still checks the session for its own data. */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  return (
    <>
      <AppHeader name={user.name} />
      {children}
    </>
  );
}
