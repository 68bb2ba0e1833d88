"use client";

import { useActionState } from "react";

import { signOutAction } from "@/app/(auth)/actions";

export function SignOutButton() {
  const [, action, pending] = useActionState(signOutAction, { status: "idle" });
  return (
    <form action={action}>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        Sign out
      </button>
    </form>
  );
}
