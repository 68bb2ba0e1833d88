"use client";

/**
 * "Load more" under a grid that pages on request (the trash, an album, a
 * share link), and why the last page failed to load.
 */
export function LoadMore({ hasMore, loading, error, onLoadMore }: { hasMore: boolean; loading: boolean; error: string | null; onLoadMore: () => void }) {
  return (
    <>
      {hasMore ? (
        <button
          type="button"
          onClick={() => onLoadMore()}
          disabled={loading}
          className="self-center rounded-md border border-zinc-300 bg-white px-4 py-2 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
        >
          {loading ? "Loading…" : "Load more"}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="self-center text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </>
  );
}
