"use client";

import { createContext, useContext, useEffect, useState, useSyncExternalStore } from "react";

import type { GalleryItem } from "@/lib/gallery-types";

/**
 * What the photo viewer (a parallel @modal route, rendered beside the page)
 * needs from the timeline behind it: the loaded list for Previous/Next, more
 * pages on demand, and the timeline's own "move to trash" flow.
 */
export type ViewerSource = {
  items: GalleryItem[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadMore: () => void;
  /** The timeline confirms, trashes and offers Undo. */
  requestDelete: (item: GalleryItem) => void;
  /** The viewer closed on this image: the timeline scrolls to it and focuses it. */
  returnTo: (id: string) => void;
};

function createStore() {
  let value: ViewerSource | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next: ViewerSource | null) {
      value = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
type Store = ReturnType<typeof createStore>;

const Context = createContext<Store | null>(null);

export function GalleryProvider({ children }: { children: React.ReactNode }) {
  const [store] = useState(createStore);
  return <Context.Provider value={store}>{children}</Context.Provider>;
}

/** The timeline offers its list to the viewer while it is mounted. */
export function usePublishViewerSource(source: ViewerSource) {
  const store = useContext(Context);
  useEffect(() => {
    store?.set(source);
  }, [store, source]);
  useEffect(() => () => store?.set(null), [store]);
}

const none = () => null;
const noop = () => () => {};

export function useViewerSource(): ViewerSource | null {
  const store = useContext(Context);
  return useSyncExternalStore(store?.subscribe ?? noop, store?.get ?? none, none);
}
