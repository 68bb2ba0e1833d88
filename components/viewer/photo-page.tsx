"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

import { networkErrorMessage, readApiError } from "@/components/api-error";
import { Viewer } from "@/components/viewer/viewer";
import type { GalleryItem, ImageDetails, Neighbours } from "@/lib/gallery-types";

type Current = { item: GalleryItem; neighbours: Neighbours | null };

/**
 * A photo's own page (a reload of the viewer, or a shared link): the viewer as
 * the page. Previous and Next walk the timeline through the server's
 * neighbours, with the address kept in step by replaceState: a router
 * navigation would be caught by the @modal slot and open the overlay on top.
 * Close goes to the timeline.
 */
export function PhotoPage({ details, neighbours }: { details: ImageDetails; neighbours: Neighbours }) {
  const router = useRouter();
  const [current, setCurrent] = useState<Current>({ item: details, neighbours });
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(details.id);

  const load = useCallback(async (id: string) => {
    try {
      const res = await fetch(`/api/images/${encodeURIComponent(id)}/neighbours`, { cache: "no-store" });
      if (!res.ok) throw new Error(await readApiError(res));
      const found = (await res.json()) as Neighbours;
      if (latest.current === id) setCurrent((c) => (c.item.id === id ? { ...c, neighbours: found } : c));
    } catch (err) {
      if (latest.current === id) setError(networkErrorMessage(err));
    }
  }, []);

  const go = (item: GalleryItem | null | undefined) => {
    if (!item) return;
    latest.current = item.id;
    setError(null);
    setCurrent({ item, neighbours: null });
    window.history.replaceState(window.history.state, "", `/photo/${encodeURIComponent(item.id)}`);
    void load(item.id);
  };

  useEffect(() => {
    document.title = `${current.item.name} · Image Vault`;
  }, [current.item.name]);

  const { item, neighbours: around } = current;
  return (
    <Viewer
      mode="page"
      item={item}
      initialDetails={item.id === details.id ? details : undefined}
      counter={null}
      previousId={around?.previous?.id ?? null}
      nextId={around?.next?.id ?? null}
      onPrevious={around?.previous ? () => go(around.previous) : null}
      onNext={around?.next ? () => go(around.next) : null}
      nextBusy={around === null && error === null}
      loadMoreError={error}
      onClose={() => router.push("/")}
    />
  );
}
