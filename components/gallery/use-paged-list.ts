"use client";

import { useCallback, useState } from "react";

import { networkErrorMessage } from "@/components/api-error";

export type Page<T, C> = { items: T[]; next: C | null; total: number };

/**
 * A listing kept in the server's own order and extended one page at a time:
 * an album (by cursor) or a share link (by offset). The timeline and the
 * trash, which jump between months and merge what they load, use
 * useImageList instead. An id already shown is not added twice.
 */
export function usePagedList<T extends { id: string }, C>({ initial, fetchPage }: { initial: Page<T, C>; fetchPage: (next: C) => Promise<Page<T, C>> }) {
  const [items, setItems] = useState(initial.items);
  const [total, setTotal] = useState(initial.total);
  const [next, setNext] = useState<C | null>(initial.next);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadMore = useCallback(async () => {
    if (next === null || loading) return;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(next);
      setItems((prev) => [...prev, ...page.items.filter((i) => !prev.some((p) => p.id === i.id))]);
      setNext(page.next);
      setTotal(page.total);
    } catch (err) {
      setError(networkErrorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [next, loading, fetchPage]);

  /** Drops items from view; `count` is how many the server removed, when it knows more than the loaded ones. */
  const remove = useCallback((ids: readonly string[], count = ids.length) => {
    const gone = new Set(ids);
    setItems((prev) => prev.filter((i) => !gone.has(i.id)));
    setTotal((t) => Math.max(0, t - count));
  }, []);

  /** Everything else left the listing, the pages never loaded included. */
  const keepOnly = useCallback((ids: ReadonlySet<string>) => {
    setItems((prev) => prev.filter((i) => ids.has(i.id)));
    setTotal(ids.size);
    setNext(null);
  }, []);

  return { items, total, hasMore: next !== null, next, loading, error, loadMore, remove, keepOnly };
}
