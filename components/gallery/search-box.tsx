"use client";

import Form from "next/form";
import Link from "next/link";

/**
 * "Search images": a GET form to `/?q=…`, so the query is in the URL and
 * reload, back and forward keep it. Works without JavaScript too.
 */
export function SearchBox({ q }: { q: string }) {
  return (
    <Form action="/" role="search" className="mb-3 flex items-center gap-2">
      <label htmlFor="gallery-search" className="sr-only">
        Search images
      </label>
      <input
        key={q}
        id="gallery-search"
        name="q"
        type="search"
        defaultValue={q}
        maxLength={1000}
        placeholder="Search images: dog, beach 2024, screenshot…"
        autoComplete="off"
        className="w-full max-w-md rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">
        Search
      </button>
      {q ? (
        <Link href="/" className="text-sm text-sky-700 underline dark:text-sky-400">
          Clear search
        </Link>
      ) : null}
    </Form>
  );
}
