"use client";

import { useEffect, useMemo, useState } from "react";

import type { GalleryItem } from "@/lib/gallery-types";

type States = Record<string, "pending" | "failed">;

const POLL_MS = 4000;

/**
 * Keeps the tiles' "Analysing…" / "Could not analyse" badges current: while
 * any shown image waits for analysis, asks the server every few seconds which
 * of the owner's images still do (one small indexed query), and stops once none does.
 */
export function useAnalysisStatus(items: GalleryItem[]): GalleryItem[] {
  const [states, setStates] = useState<States | null>(null);
  const shown = useMemo(() => {
    if (!states) return items;
    return items.map((item) => {
      const now = states[item.id];
      if (now === item.analysis) return item;
      if (!now && !item.analysis) return item;
      return { ...item, analysis: now };
    });
  }, [items, states]);
  const waiting = shown.some((item) => item.analysis);

  useEffect(() => {
    if (!waiting) return;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const res = await fetch("/api/images/analysis", { cache: "no-store" });
        if (res.ok && !stopped) setStates(((await res.json()) as { states: States }).states);
      } catch {
        // Offline for a moment: the next tick asks again.
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [waiting]);

  return shown;
}
