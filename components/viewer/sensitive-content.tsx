import Link from "next/link";

const flagged =
  "inline-block rounded-full bg-amber-50 px-2.5 py-0.5 text-amber-900 ring-1 ring-amber-300 hover:bg-amber-100 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700 dark:hover:bg-amber-900";

/**
 * The "Content" row of the viewer's Characteristics list: whether nsfwjs found
 * explicit or suggestive content. A flagged image gets a chip that searches for
 * every image so marked; sharing such images asks "Share anyway?" first.
 */
export function SensitiveContent({ sensitive }: { sensitive: boolean | null }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">Content</dt>
      <dd>
        {sensitive === null ? (
          "Not checked yet"
        ) : sensitive ? (
          <Link href="/?q=sensitive" className={flagged} title="Explicit or suggestive content, by an offline model. Sharing asks first.">
            Sensitive
          </Link>
        ) : (
          "Not sensitive"
        )}
      </dd>
    </>
  );
}
