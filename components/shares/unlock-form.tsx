"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useId } from "react";

import { unlockShareAction } from "@/app/(share)/actions";

/** The password a share link asks for before anything is shown. */
export function UnlockForm({ token }: { token: string }) {
  const router = useRouter();
  const [state, action, pending] = useActionState(unlockShareAction, { status: "idle" });
  const id = useId();
  useEffect(() => {
    if (state.status === "success") router.refresh();
  }, [state, router]);
  const error = state.status === "error" ? (state.fieldErrors?.password?.[0] ?? state.message) : "";
  return (
    <form action={action} className="flex w-full max-w-sm flex-col gap-3 rounded-xl border border-zinc-200 p-6 dark:border-zinc-800">
      <h1 className="text-lg font-semibold">This link is protected</h1>
      <input type="hidden" name="token" value={token} />
      <label htmlFor={id} className="text-sm font-medium">
        Password
      </label>
      <input
        id={id}
        name="password"
        type="password"
        required
        autoFocus
        autoComplete="current-password"
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-error`}
        className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-base shadow-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      <p id={`${id}-error`} role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {error}
      </p>
      <button type="submit" disabled={pending} className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60">
        {pending ? "Checking…" : "Open"}
      </button>
    </form>
  );
}
