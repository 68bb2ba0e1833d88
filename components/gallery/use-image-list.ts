"use client";

import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { networkErrorMessage, readApiError } from "@/components/api-error";
import {
  type Run,
  addMonthRun,
  appendPage,
  flatten,
  loadFor,
  monthComplete,
  rebaseTop,
  runFromPage,
} from "@/components/gallery/image-runs";
import { comparePos, positionOf } from "@/components/gallery/timeline-position";
import type { GalleryItem, GalleryPage } from "@/lib/gallery-types";

/**
 * The library's list hook: the timeline and the trash page through GET
 * /api/images with it. It holds the loaded runs (image-runs.ts), this
 * session's uploads and removals, and the total. Albums and share links keep
 * their own order and page with usePagedList.
 */
export type ImageListOptions = {
  /** The first page, rendered by the server (newest first). */
  initial: GalleryPage;
  /** Query of the listing: the trash, or the timeline. */
  trash?: boolean;
  /** Months of the listing, newest first (the timeline's scrubber); lets loadMonth continue a run instead of jumping. */
  months?: readonly string[];
};

export type ImageList = {
  /** Newest first, each id once: loaded pages and this session's uploads, less removed ones. */
  items: GalleryItem[];
  /** Every image of the listing, loaded or not (server count corrected by this session's changes). */
  total: number;
  /** The top run has more pages. */
  hasMore: boolean;
  /** A page request is in flight. */
  loading: boolean;
  /** The last failed page request's message, for people; cleared by the next attempt. */
  error: string | null;
  /** Next page of the listing from the top. */
  loadMore: () => Promise<void>;
  /** Loads `month`: continues the run that ends next to it, or starts one there (?from=). */
  loadMonth: (month: string) => Promise<void>;
  /** Every image of `month` is loaded. */
  isMonthComplete: (month: string) => boolean;
  /** A new upload: shown at its place in the timeline at once. */
  addItem: (item: GalleryItem) => void;
  /** Drops items from view (moved to the trash, restored, deleted). */
  removeItems: (ids: Iterable<string>) => void;
  /** Shows removed items again (Undo). */
  restoreItems: (ids: Iterable<string>) => void;
};

const isAbort = (err: unknown) => err instanceof DOMException && err.name === "AbortError";

export async function fetchImagePage(query: { cursor?: string; from?: string; trash?: boolean }, signal?: AbortSignal): Promise<GalleryPage> {
  const params = new URLSearchParams();
  if (query.cursor) params.set("cursor", query.cursor);
  if (query.from) params.set("from", query.from);
  if (query.trash) params.set("trash", "1");
  const res = await fetch(`/api/images?${params}`, { signal, cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(await readApiError(res));
  const body = (await res.json()) as Partial<GalleryPage> | null;
  if (!body || !Array.isArray(body.items)) throw new Error("The server sent an unexpected answer.");
  return {
    items: body.items,
    nextCursor: typeof body.nextCursor === "string" ? body.nextCursor : null,
    total: typeof body.total === "number" ? body.total : body.items.length,
  };
}

/** Inserts session uploads at their timeline position. O(n + k log k). */
function mergeAdded(loaded: readonly GalleryItem[], added: readonly GalleryItem[]): GalleryItem[] {
  if (added.length === 0) return loaded as GalleryItem[];
  const ids = new Set(loaded.map((item) => item.id));
  const fresh = added.filter((item) => !ids.has(item.id)).sort((a, b) => comparePos(positionOf(b), positionOf(a)));
  if (fresh.length === 0) return loaded as GalleryItem[];
  const out: GalleryItem[] = [];
  let i = 0;
  for (const item of loaded) {
    while (i < fresh.length && comparePos(positionOf(fresh[i]), positionOf(item)) > 0) out.push(fresh[i++]);
    out.push(item);
  }
  while (i < fresh.length) out.push(fresh[i++]);
  return out;
}

/** `serverTotal` is the latest count from the server; `addedSince`/`removedSince` are this session's changes after it. */
type State = { runs: Run[]; source: GalleryPage; serverTotal: number; addedSince: ReadonlySet<string>; removedSince: ReadonlySet<string> };

const NONE: ReadonlySet<string> = new Set();

export function useImageList({ initial, trash = false, months = [] }: ImageListOptions): ImageList {
  const [state, setState] = useState<State>(() => ({
    runs: [runFromPage(null, initial)],
    source: initial,
    serverTotal: initial.total,
    addedSince: NONE,
    removedSince: NONE,
  }));
  // A new first page from the server (re-render after an action): adjust during render.
  if (state.source !== initial) {
    setState({ runs: rebaseTop(state.runs, initial), source: initial, serverTotal: initial.total, addedSince: NONE, removedSince: NONE });
  }

  const [added, setAdded] = useState<GalleryItem[]>([]);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(() => new Set());
  const [loadingKeys, setLoadingKeys] = useState<ReadonlySet<string>>(() => new Set());
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef(new Set<string>());
  const controllers = useRef(new Set<AbortController>());
  useEffect(() => {
    const all = controllers.current;
    return () => {
      for (const c of all) c.abort();
    };
  }, []);

  // Latest runs for callbacks, without re-creating them on every page.
  const runsRef = useRef(state.runs);
  useEffect(() => {
    runsRef.current = state.runs;
  }, [state.runs]);
  const monthsRef = useRef(months);
  useEffect(() => {
    monthsRef.current = months;
  }, [months]);

  const request = useCallback(
    async (key: string, query: { cursor?: string; from?: string }, apply: (runs: Run[], page: GalleryPage) => Run[]) => {
      if (inFlight.current.has(key)) return;
      inFlight.current.add(key);
      const controller = new AbortController();
      controllers.current.add(controller);
      setLoadingKeys((prev) => new Set(prev).add(key));
      setError(null);
      try {
        const page = await fetchImagePage({ ...query, trash }, controller.signal);
        // Appending re-renders the grid; keep input responsive.
        startTransition(() => {
          setState((prev) => ({ ...prev, runs: apply(prev.runs, page), serverTotal: page.total, addedSince: NONE, removedSince: NONE }));
          setLoadingKeys((prev) => {
            const next = new Set(prev);
            next.delete(key);
            return next;
          });
        });
      } catch (err) {
        if (isAbort(err)) return;
        setError(networkErrorMessage(err));
        setLoadingKeys((prev) => {
          const next = new Set(prev);
          next.delete(key);
          return next;
        });
      } finally {
        controllers.current.delete(controller);
        inFlight.current.delete(key);
      }
    },
    [trash],
  );

  const topCursor = state.runs.find((run) => run.start === null)?.cursor ?? null;
  const loadMore = useCallback(async () => {
    const top = runsRef.current.find((run) => run.start === null);
    if (!top?.cursor) return;
    const cursor = top.cursor;
    await request(`more:top:${cursor}`, { cursor }, (runs, page) => appendPage(runs, "top", cursor, page));
  }, [request]);

  const loadMonth = useCallback(
    async (month: string) => {
      const load = loadFor(runsRef.current, month, monthsRef.current);
      if (!load) return;
      if (load.kind === "more") {
        await request(`more:${load.key}:${load.cursor}`, { cursor: load.cursor }, (runs, page) => appendPage(runs, load.key, load.cursor, page));
      } else {
        await request(`from:${load.month}`, { from: load.month }, (runs, page) => addMonthRun(runs, load.month, page));
      }
    },
    [request],
  );

  const runs = state.runs;
  const isMonthComplete = useCallback((month: string) => monthComplete(runs, month), [runs]);

  const addItem = useCallback((item: GalleryItem) => {
    setAdded((prev) => [item, ...prev]);
    setState((prev) => ({ ...prev, addedSince: new Set(prev.addedSince).add(item.id) }));
  }, []);
  const removeItems = useCallback((iterable: Iterable<string>) => {
    const ids = [...iterable];
    setRemoved((prev) => new Set([...prev, ...ids]));
    setState((prev) => {
      const addedSince = new Set(prev.addedSince);
      const removedSince = new Set(prev.removedSince);
      for (const id of ids) if (!addedSince.delete(id)) removedSince.add(id);
      return { ...prev, addedSince, removedSince };
    });
  }, []);
  const restoreItems = useCallback((iterable: Iterable<string>) => {
    const ids = [...iterable];
    setRemoved((prev) => {
      const next = new Set(prev);
      for (const id of ids) next.delete(id);
      return next;
    });
    setState((prev) => {
      const removedSince = new Set(prev.removedSince);
      for (const id of ids) removedSince.delete(id);
      return { ...prev, removedSince };
    });
  }, []);

  const items = useMemo(() => {
    const merged = mergeAdded(flatten(runs), added);
    return removed.size ? merged.filter((item) => !removed.has(item.id)) : merged;
  }, [runs, added, removed]);

  // The server's latest count, corrected by what changed after it.
  const total = Math.max(items.length, state.serverTotal + state.addedSince.size - state.removedSince.size);

  return {
    items,
    total,
    hasMore: topCursor !== null,
    loading: loadingKeys.size > 0,
    error,
    loadMore,
    loadMonth,
    isMonthComplete,
    addItem,
    removeItems,
    restoreItems,
  };
}
