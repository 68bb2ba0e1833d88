"use client";

import { useEffect, useState } from "react";

import { networkErrorMessage, readApiError } from "@/components/api-error";
import type { ImageDetails } from "@/lib/gallery-types";

const DETAILS_DELAY_MS = 120;

export type DetailsEntry = { status: "ready"; data: ImageDetails } | { status: "error"; message: string };

/**
 * The details panel's data, fetched per image and kept while the viewer is
 * open. Each fetch waits a short pause, so holding an arrow key does not
 * flood the server. `entry` is undefined while loading; `retry` forgets a
 * failure so it is fetched again.
 */
export function useImageDetails(id: string, initialDetails?: ImageDetails) {
  const [details, setDetails] = useState<Record<string, DetailsEntry>>(() =>
    initialDetails ? { [initialDetails.id]: { status: "ready", data: initialDetails } } : {},
  );
  const entry = details[id];
  const missing = entry === undefined;
  useEffect(() => {
    if (!missing) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      let next: DetailsEntry;
      try {
        const res = await fetch(`/api/images/${encodeURIComponent(id)}`, {
          signal: controller.signal,
          cache: "no-store",
          headers: { accept: "application/json" },
        });
        if (!res.ok) throw new Error(await readApiError(res));
        next = { status: "ready", data: (await res.json()) as ImageDetails };
      } catch (err) {
        if (controller.signal.aborted) return;
        next = { status: "error", message: networkErrorMessage(err) };
      }
      if (!controller.signal.aborted) setDetails((prev) => ({ ...prev, [id]: next }));
    }, DETAILS_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [id, missing]);
  const retry = () =>
    setDetails((prev) => {
      const rest = { ...prev };
      delete rest[id];
      return rest;
    });
  return { entry, retry };
}
