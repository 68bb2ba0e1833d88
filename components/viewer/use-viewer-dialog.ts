"use client";

import { useEffect, useEffectEvent, useRef } from "react";

/**
 * The viewer as an overlay: its <dialog> opens as a modal on mount with focus
 * on Close, and the page behind stops scrolling under the wheel or touch.
 * Closing it (Escape, Close, a click beside the image) goes through the
 * dialog's "close" event to `onClose`. As a page there is no dialog, and
 * `close` calls `onClose` directly. Focus is not handed back to the opener
 * here, as useModalDialog does: PhotoModal puts it on the photo's tile.
 */
export function useViewerDialog(onClose: () => void) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  const fireClose = useEffectEvent(() => onClose());
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const handleClose = () => fireClose();
    element.addEventListener("close", handleClose);
    if (!element.open) element.showModal();
    closeButton.current?.focus();
    const root = document.documentElement;
    const previousOverflow = root.style.overflow;
    root.style.overflow = "hidden";
    return () => {
      element.removeEventListener("close", handleClose);
      if (element.open) element.close();
      root.style.overflow = previousOverflow;
    };
  }, []);

  const close = () => (dialog.current ? dialog.current.close() : onClose());
  return { dialog, closeButton, close };
}
