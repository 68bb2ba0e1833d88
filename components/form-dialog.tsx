"use client";

import { useId } from "react";

import { primaryButton, secondaryButton } from "@/components/form-controls";
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

/**
 * The end of a dialog's form: what the last attempt said (announced, red for
 * a failure), then the button that closes the dialog beside the main one:
 * `children`, or else a submit button named `submit`, disabled while `busy`.
 */
export function DialogActions({
  message,
  tone = "error",
  closeLabel = "Cancel",
  onClose,
  submit,
  busy = false,
  children,
}: {
  message: string;
  tone?: "error" | "info";
  closeLabel?: string;
  onClose: () => void;
  submit?: string;
  busy?: boolean;
  children?: React.ReactNode;
}) {
  return (
    <>
      <p role="status" aria-live="polite" className={`min-h-5 text-sm ${tone === "error" ? "text-red-700 dark:text-red-400" : "text-zinc-700 dark:text-zinc-300"}`}>
        {message}
      </p>
      <div className="flex justify-end gap-3">
        <button type="button" onClick={onClose} className={secondaryButton}>
          {closeLabel}
        </button>
        {children ?? (
          <button type="submit" disabled={busy} className={primaryButton}>
            {submit}
          </button>
        )}
      </div>
    </>
  );
}
