"use client";

// Shown when a page fails to render (for example while the database is unreachable).
// The message is generic on purpose: server error text never reaches the browser.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div role="alert" className="max-w-md rounded-xl border border-zinc-200 bg-white p-6 text-center shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="mb-2 text-xl font-semibold">Something went wrong</h1>
        <p className="mb-4 text-zinc-600 dark:text-zinc-400">
          Storage may be unavailable right now. Your images are safe and you are still signed in; please try again in a moment.
        </p>
        <button type="button" onClick={reset} className="rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
          Try again
        </button>
      </div>
    </main>
  );
}
