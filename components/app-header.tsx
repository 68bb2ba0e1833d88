import Link from "next/link";

import { AccountMenu } from "@/components/account-menu";
import { NavLinks } from "@/components/nav-links";

/** The signed-in header: logo, the main nav (current page marked), and the account menu. One line at any width. */
export function AppHeader({ name }: { name: string }) {
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/95 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/95">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-3 sm:gap-4 sm:px-4">
        <Link href="/" className="flex shrink-0 items-center gap-2 rounded-md text-lg font-semibold text-sky-800 dark:text-sky-300" aria-label="Image Vault home">
          {/* eslint-disable-next-line @next/next/no-img-element -- a static icon of a fixed size */}
          <img src="/icons/icon-64.png" alt="" width={28} height={28} className="size-7 rounded-md" />
          <span className="max-sm:sr-only">Image Vault</span>
        </Link>
        <NavLinks />
        <div className="ml-auto flex min-w-0 items-center">
          <AccountMenu name={name} />
        </div>
      </div>
    </header>
  );
}
