"use client";

import { useEffect } from "react";

import { imageUrl } from "@/lib/gallery-types";

/** Warms the cache for the neighbours, so Previous/Next (and swipes) feel instant. */
export function usePreloadNeighbours(previousId: string | null, nextId: string | null) {
  useEffect(() => {
    const timer = setTimeout(() => {
      for (const id of [nextId, previousId]) {
        if (!id) continue;
        const img = new Image();
        img.decoding = "async";
        img.src = imageUrl(id, "preview");
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [previousId, nextId]);
}
