"use client";

import { useEffect, useRef } from "react";

/**
 * Opens a native <dialog> as a modal on mount (focus trapped, Escape closes),
 * calls the latest `onClose` when it closes, and gives focus back to whatever
 * opened it. Shared by every modal: ConfirmDialog, FormDialog, the shared viewer.
 */
export function useModalDialog(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    const handle = () => closeRef.current();
    dialog.addEventListener("close", handle);
    return () => {
      dialog.removeEventListener("close", handle);
      if (dialog.open) dialog.close();
      opener?.focus?.();
    };
  }, []);
  return ref;
}
