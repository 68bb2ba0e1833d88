"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { useViewerSource } from "@/components/gallery/gallery-context";
import { networkErrorMessage, readApiError } from "@/components/api-error";
import { Viewer } from "@/components/viewer/viewer";
import type { GalleryItem, ImageDetails } from "@/lib/gallery-types";

/**
 * The viewer over the timeline, at /photo/[id] (an intercepted route). It
 * walks the timeline's loaded list; each step replaces the URL, so Back (or
 * the Android back gesture) closes the viewer and a reload shows that photo's
 * own page.
 */
export function PhotoModal({ id }: { id: string }) {
  const router = useRouter();
  const source = useViewerSource();
  const [shown, setShown] = useState({ from: id, current: id });
  // A new navigation to another photo starts from it.
  if (shown.from !== id) setShown({ from: id, current: id });
  const currentId = shown.current;

  const items = source?.items ?? [];
  const index = items.findIndex((item) => item.id === currentId);
  const listed = index >= 0 ? items[index] : null;

  // Not in the timeline's list (yet): read it on its own.
  const [single, setSingle] = useState<{ id: string; item: ImageDetails | null; error: string | null } | null>(null);
  useEffect(() => {
    if (listed || single?.id === currentId) return;
    const controller = new AbortController();
    void (async () => {
      try {
        const res = await fetch(`/api/images/${encodeURIComponent(currentId)}`, { signal: controller.signal, cache: "no-store" });
        if (!res.ok) throw new Error(res.status === 404 ? "This photo does not exist, or is not yours." : await readApiError(res));
        setSingle({ id: currentId, item: (await res.json()) as ImageDetails, error: null });
      } catch (err) {
        if (!controller.signal.aborted) setSingle({ id: currentId, item: null, error: networkErrorMessage(err) });
      }
    })();
    return () => controller.abort();
  }, [listed, single?.id, currentId]);

  // Put focus back on the photo's tile once the viewer is gone.
  const last = useRef(currentId);
  useEffect(() => {
    last.current = currentId;
  }, [currentId]);
  const returnTo = useRef(source?.returnTo);
  useEffect(() => {
    returnTo.current = source?.returnTo;
  });
  useEffect(
    () => () => {
      const back = returnTo.current;
      const target = last.current;
      requestAnimationFrame(() => back?.(target));
    },
    [],
  );

  const show = (next: GalleryItem) => {
    setShown((s) => ({ ...s, current: next.id }));
    window.history.replaceState(window.history.state, "", `/photo/${next.id}`);
  };

  // "Next" on the last loaded photo asks for another page, then moves on.
  const [waitingFor, setWaitingFor] = useState<string | null>(null);
  const nextItem = index >= 0 ? items[index + 1] : undefined;
  if (waitingFor && waitingFor === currentId && nextItem) {
    setWaitingFor(null);
    show(nextItem);
  }

  const close = () => router.back();
  const item: GalleryItem | null = listed ?? (single?.id === currentId ? single.item : null);

  if (!item) {
    const error = single?.id === currentId ? single.error : null;
    return error ? (
      <Viewerless message={error} onClose={close} />
    ) : null;
  }

  const previous = index > 0 ? items[index - 1] : undefined;
  const atEnd = index >= 0 && !nextItem;
  const hasMore = Boolean(source?.hasMore);
  const counter = index >= 0 ? `${(index + 1).toLocaleString("en-US")} of ${items.length.toLocaleString("en-US")}${hasMore ? "+" : ""}` : null;

  return (
    <Viewer
      key="viewer"
      mode="modal"
      item={item}
      counter={counter}
      previousId={previous?.id ?? null}
      nextId={nextItem?.id ?? null}
      onPrevious={previous ? () => show(previous) : null}
      onNext={
        nextItem
          ? () => show(nextItem)
          : atEnd && hasMore
            ? () => {
                setWaitingFor(currentId);
                source?.loadMore();
              }
            : null
      }
      nextBusy={atEnd && hasMore && (waitingFor === currentId || Boolean(source?.loading))}
      loadMoreError={atEnd ? (source?.error ?? null) : null}
      onClose={close}
      onDelete={
        source
          ? (target) => {
              router.back();
              setTimeout(() => source.requestDelete(target), 0);
            }
          : undefined
      }
    />
  );
}

function Viewerless({ message, onClose }: { message: string; onClose: () => void }) {
  return (
    <div role="alert" className="fixed inset-0 z-40 flex flex-col items-center justify-center gap-4 bg-zinc-950/95 p-6 text-center text-zinc-100">
      <p>{message}</p>
      <button type="button" onClick={onClose} className="rounded-md bg-white/10 px-4 py-2 font-medium hover:bg-white/20">
        Back to your photos
      </button>
    </div>
  );
}
