import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="max-w-md text-center">
        <h1 className="mb-2 text-xl font-semibold">Page not found</h1>
        <p className="mb-4 text-zinc-600 dark:text-zinc-400">There is nothing at this address.</p>
        <Link href="/" className="font-medium text-sky-700 underline dark:text-sky-400">
          Back to your gallery
        </Link>
      </div>
    </main>
  );
}
