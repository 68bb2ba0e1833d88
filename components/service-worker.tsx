"use client";

import { useEffect } from "react";

/** Registers public/sw.js (offline page and share target; it caches no private data). Production builds only. */
export function ServiceWorker() {
  useEffect(() => {
    if (process.env.NODE_ENV !== "production" || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // An app that works without it: offline page and sharing are extras.
    });
  }, []);
  return null;
}
