"use client";

import Link from "next/link";
import { useActionState, useId } from "react";

import { signOutAction } from "@/app/(auth)/actions";

/**
 * The account button (initial and, from tablet width, the display name) and
 * its menu: who is signed in, Settings, Sign out. A native popover: Escape
 * and a click outside close it, and focus returns to the button.
 */
export function AccountMenu({ name }: { name: string }) {
  const id = useId();
  const [, signOut, pending] = useActionState(signOutAction, { status: "idle" });
  const initial = (name.trim()[0] ?? "?").toUpperCase();
  return (
    <>
      <button
        type="button"
        popoverTarget={`${id}-menu`}
        className="flex max-w-full min-w-0 items-center gap-2 rounded-full py-1 pr-1 pl-1 hover:bg-zinc-100 sm:pr-3 dark:hover:bg-zinc-800"
      >
        <span className="sr-only">Account: </span>
        <span aria-hidden="true" className="flex size-8 shrink-0 items-center justify-center rounded-full bg-sky-700 text-sm font-semibold text-white">
          {initial}
        </span>
        <span data-testid="display-name" className="max-w-48 truncate text-sm text-zinc-700 max-sm:sr-only dark:text-zinc-200">
          {name}
        </span>
      </button>
      <div
        id={`${id}-menu`}
        popover="auto"
        className="fixed inset-auto top-14 right-2 m-0 w-64 max-w-[calc(100vw-1rem)] rounded-xl border border-zinc-200 bg-white p-2 text-zinc-900 shadow-xl dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <p className="px-3 pt-2 pb-3 text-sm">
          <span className="block text-xs text-zinc-600 dark:text-zinc-400">Signed in as</span>
          <span className="block font-medium break-words">{name}</span>
        </p>
        <Link href="/settings" className="block rounded-md px-3 py-2 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800" onClick={() => document.getElementById(`${id}-menu`)?.hidePopover()}>
          Settings
        </Link>
        <form action={signOut}>
          <button type="submit" disabled={pending} className="block w-full rounded-md px-3 py-2 text-left text-sm hover:bg-zinc-100 disabled:opacity-60 dark:hover:bg-zinc-800">
            Sign out
          </button>
        </form>
      </div>
    </>
  );
}
