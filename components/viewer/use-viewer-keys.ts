"use client";

import { useEffect, useEffectEvent } from "react";

/**
 * Arrow keys move between photos; Escape closes the page viewer (the modal's
 * <dialog> closes on Escape by itself). Returns the viewer's onKeyDown. As a
 * page nothing holds focus after load, so the arrows are heard from the whole
 * document too, except while typing or inside the page's own <main>, which
 * already hears them through onKeyDown.
 */
export function useViewerKeys({
  mode,
  onPrevious,
  onNext,
  onClose,
}: {
  mode: "modal" | "page";
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onClose: () => void;
}) {
  const onKeyDown = (event: React.KeyboardEvent | KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowLeft" && onPrevious) {
      event.preventDefault();
      onPrevious();
    } else if (event.key === "ArrowRight" && onNext) {
      event.preventDefault();
      onNext();
    } else if (event.key === "Escape" && mode === "page") {
      event.preventDefault();
      onClose();
    }
  };

  const pageKey = useEffectEvent((event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (target?.closest("input, textarea, select, [contenteditable=true], main")) return;
    onKeyDown(event);
  });
  useEffect(() => {
    if (mode !== "page") return;
    const listener = (event: KeyboardEvent) => pageKey(event);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, [mode]);

  return onKeyDown;
}
