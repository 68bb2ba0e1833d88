import Link from "next/link";

import { SignOutButton } from "@/components/sign-out-button";

export function AppHeader({ name }: { name: string }) {
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/90">
      <div className="mx-auto flex max-w-7xl items-center gap-4 px-4 py-3">
        <Link href="/" className="text-lg font-semibold text-sky-700 dark:text-sky-400">
          Image Vault
        </Link>
        <nav aria-label="Main" className="flex gap-3 text-sm">
          <Link href="/" className="hover:underline">
            Gallery
          </Link>
          <Link href="/trash" className="hover:underline">
            Trash
          </Link>
          <Link href="/settings" className="hover:underline">
            Settings
          </Link>
        </nav>
        <span className="ml-auto truncate text-sm text-zinc-600 dark:text-zinc-300" data-testid="display-name">
          {name}
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}
