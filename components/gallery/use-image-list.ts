import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";

import type { ApiError, GalleryItem, GalleryPage } from "@/lib/gallery-types";

export type UseGalleryOptions = {
  /** The first page, rendered by the server (newest first). */
  initial: GalleryPage;
  /** Uploaded during this session; shown first and dropped when a loaded page has them too. */
  added?: readonly GalleryItem[];
};

export type GalleryState = {
  /** Newest first, each id once: session uploads, then the loaded pages. */
  items: GalleryItem[];
  /** True while the server has more pages. */
  hasMore: boolean;
  /** True while a page request is in flight. */
  loading: boolean;
  /** Message of the last failed page request, for people; cleared by the next attempt. */
  error: string | null;
  /** Drops items from view (they were moved to the trash). */
  removeItems: (ids: Iterable<string>) => void;
  /** Fetches the next page. Safe to call repeatedly: at most one request runs at a time. */
  loadMore: () => Promise<void>;
};

type Loaded = {
  items: GalleryItem[];
  ids: Set<string>;
  cursor: string | null;
  /** Pages fetched after `source`. */
  extraPages: number;
  /** The server page this list started from. */
  source: GalleryPage;
};

const NO_ITEMS: readonly GalleryItem[] = [];

function fromPage(page: GalleryPage): Loaded {
  const ids = new Set<string>();
  const items: GalleryItem[] = [];
  for (const item of page.items) {
    if (ids.has(item.id)) continue;
    ids.add(item.id);
    items.push(item);
  }
  return { items, ids, cursor: page.nextCursor, extraPages: 0, source: page };
}

/** Adds a fetched page, unless the list moved on since it was requested (then the page is stale). */
function appendPage(prev: Loaded, requestedCursor: string, page: GalleryPage): Loaded {
  if (prev.cursor !== requestedCursor) return prev;
  const ids = new Set(prev.ids);
  const items = prev.items.slice();
  for (const item of page.items) {
    if (ids.has(item.id)) continue;
    ids.add(item.id);
    items.push(item);
  }
  return { items, ids, cursor: page.nextCursor, extraPages: prev.extraPages + 1, source: prev.source };
}

/**
 * The server sent a new first page (e.g. after router.refresh()). With nothing
 * else loaded it simply replaces the list; otherwise the new first page goes in
 * front of what is loaded, and the cursor keeps pointing past the loaded pages.
 */
function rebase(prev: Loaded, page: GalleryPage): Loaded {
  if (prev.extraPages === 0) return fromPage(page);
  const next = fromPage({ items: [...page.items, ...prev.items], nextCursor: prev.cursor, total: page.total });
  return { ...next, extraPages: prev.extraPages, source: page };
}

/** Session uploads (newest first, not already loaded) followed by the loaded items. O(n). */
export function mergeItems(added: readonly GalleryItem[], loaded: readonly GalleryItem[], loadedIds: ReadonlySet<string>): GalleryItem[] {
  if (added.length === 0) return loaded as GalleryItem[];
  const seen = new Set<string>();
  const fresh: GalleryItem[] = [];
  for (const item of added) {
    if (loadedIds.has(item.id) || seen.has(item.id)) continue;
    seen.add(item.id);
    fresh.push(item);
  }
  if (fresh.length === 0) return loaded as GalleryItem[];
  // Stable sort, newest first; ISO strings from the server, but parse to be safe.
  fresh.sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0));
  return fresh.concat(loaded);
}

/** The `message` of a JSON `{ code, message }` error body, or a generic sentence for the status. */
export async function readApiError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as Partial<ApiError> | null;
    if (body && typeof body.message === "string" && body.message.trim()) return body.message;
  } catch {
    // not JSON; fall through
  }
  if (res.status === 401) return "Your session has ended. Sign in again to continue.";
  if (res.status === 429) return "Too many requests. Wait a moment and try again.";
  return `Something went wrong (HTTP ${res.status}).`;
}

/** A thrown fetch error as a sentence for people. */
export function networkErrorMessage(err: unknown): string {
  if (err instanceof Error && err.message && !(err instanceof TypeError)) return err.message;
  return "Couldn't reach the server. Check your connection and try again.";
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === "AbortError";
}

async function fetchPage(cursor: string, signal: AbortSignal): Promise<GalleryPage> {
  const res = await fetch(`/api/images?cursor=${encodeURIComponent(cursor)}`, {
    signal,
    cache: "no-store",
    headers: { accept: "application/json" },
  });
  if (!res.ok) throw new Error(await readApiError(res));
  const body = (await res.json()) as Partial<GalleryPage> | null;
  if (!body || !Array.isArray(body.items)) throw new Error("The server sent an unexpected answer.");
  return {
    items: body.items,
    nextCursor: typeof body.nextCursor === "string" ? body.nextCursor : null,
    total: typeof body.total === "number" ? body.total : body.items.length,
  };
}

/** The gallery's item list: the server's first page, session uploads, and more pages on demand. */
export function useGallery({ initial, added = NO_ITEMS }: UseGalleryOptions): GalleryState {
  const [loaded, setLoaded] = useState(() => fromPage(initial));
  // A new first page from the server: adjust during render rather than in an effect.
  if (loaded.source !== initial) setLoaded(rebase(loaded, initial));

  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(false);
  // The cursor whose page arrived but may not be committed yet (the append runs in a transition).
  const fetched = useRef<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);

  const cursor = loaded.cursor;
  const loadMore = useCallback(async () => {
    if (cursor === null || inFlight.current || fetched.current === cursor) return;
    inFlight.current = true;
    const controller = new AbortController();
    abort.current = controller;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(cursor, controller.signal);
      fetched.current = cursor;
      // Appending re-renders the whole grid; keep input responsive. `loading` ends in
      // the same commit, so the sentinel never sees "idle" with the old cursor.
      startTransition(() => {
        setLoaded((prev) => appendPage(prev, cursor, page));
        setLoading(false);
      });
    } catch (err) {
      if (isAbort(err)) return;
      setError(networkErrorMessage(err));
      setLoading(false);
    } finally {
      if (abort.current === controller) abort.current = null;
      inFlight.current = false;
    }
  }, [cursor]);

  // Images deleted in this session disappear at once, whichever page they came from.
  const [removed, setRemoved] = useState<ReadonlySet<string>>(() => new Set());
  const removeItems = useCallback((ids: Iterable<string>) => {
    setRemoved((prev) => new Set([...prev, ...ids]));
  }, []);

  const items = useMemo(() => {
    const merged = mergeItems(added, loaded.items, loaded.ids);
    return removed.size ? merged.filter((item) => !removed.has(item.id)) : merged;
  }, [added, loaded, removed]);

  return { items, hasMore: cursor !== null, loading, error, loadMore, removeItems };
}
