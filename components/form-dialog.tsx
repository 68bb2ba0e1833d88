"use client";

import { useId } from "react";

import { useModalDialog } from "@/components/use-modal-dialog";

/**
 * A modal form on the native <dialog>, like ConfirmDialog: focus is trapped,
 * Escape closes, and focus returns to whatever opened it.
 */
export function FormDialog({ title, children, onClose }: { title: string; children: React.ReactNode; onClose: () => void }) {
  const ref = useModalDialog(onClose);
  const titleId = useId();
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-xl bg-white p-6 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <h2 id={titleId} className="mb-4 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </dialog>
  );
}

export const inputClass =
  "rounded-md border border-zinc-300 bg-white px-3 py-2 text-base shadow-sm dark:border-zinc-700 dark:bg-zinc-900 aria-[invalid=true]:border-red-500";
export const primaryButton =
  "rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-sky-800 disabled:opacity-60";
export const secondaryButton =
  "rounded-md border border-zinc-300 px-4 py-2 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";
