"use client";

import { useCallback, useState } from "react";

import { Gallery } from "@/components/gallery";
import { Uploader } from "@/components/uploader";
import type { GalleryItem, GalleryPage } from "@/lib/gallery-types";

/** The gallery and the uploader share one list: finished uploads appear at the top at once. */
export function Dashboard({ initial, total, maxBytes }: { initial: GalleryPage; total: number; maxBytes: number }) {
  const [added, setAdded] = useState<GalleryItem[]>([]);
  const onUploaded = useCallback((item: GalleryItem) => setAdded((prev) => [item, ...prev]), []);
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">Your images</h1>
        <div className="ml-auto">
          <Uploader maxBytes={maxBytes} onUploaded={onUploaded} />
        </div>
      </div>
      <Gallery initial={initial} added={added} total={total + added.length} />
    </>
  );
}
