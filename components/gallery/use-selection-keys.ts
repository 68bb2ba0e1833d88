"use client";

import { useEffect, useEffectEvent } from "react";

/** Typing in a field, or a dialog on top: page shortcuts stay out of the way. */
function shortcutsBlocked(event: KeyboardEvent): boolean {
  if (event.defaultPrevented) return true;
  const target = event.target as HTMLElement | null;
  if (target?.closest("input:not([type=checkbox]), textarea, select, [contenteditable=''], [contenteditable=true]")) return true;
  if (target?.closest("[data-sonner-toaster]")) return true;
  return document.querySelector("dialog[open]") !== null;
}

/**
 * Google-Photos keys for a page with a selection: Ctrl/Cmd+A selects all,
 * Escape clears, Delete (or Backspace) asks to move the selection to the
 * trash, Ctrl/Cmd+Z undoes the last move.
 */
export function useSelectionKeys({
  enabled,
  count,
  onSelectAll,
  onClear,
  onDelete,
  onUndo,
}: {
  enabled: boolean;
  count: number;
  onSelectAll: () => void;
  onClear: () => void;
  onDelete: () => void;
  onUndo?: () => void;
}) {
  const handle = useEffectEvent((event: KeyboardEvent) => {
    if (shortcutsBlocked(event)) return;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && !event.altKey && event.key.toLowerCase() === "a") {
      event.preventDefault();
      onSelectAll();
    } else if (mod && !event.altKey && event.key.toLowerCase() === "z" && onUndo) {
      event.preventDefault();
      onUndo();
    } else if (event.key === "Escape" && count > 0) {
      event.preventDefault();
      onClear();
    } else if ((event.key === "Delete" || event.key === "Backspace") && !mod && count > 0) {
      event.preventDefault();
      onDelete();
    }
  });
  useEffect(() => {
    if (!enabled) return;
    const listener = (event: KeyboardEvent) => handle(event);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, [enabled]);
}
