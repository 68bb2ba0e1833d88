import Link from "next/link";

import { SensitiveContent } from "@/components/viewer/sensitive-content";
import type { ImageCharacteristics } from "@/lib/gallery-types";

const chip =
  "inline-block rounded-full bg-sky-50 px-2.5 py-0.5 text-sky-800 ring-1 ring-sky-200 hover:bg-sky-100 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800 dark:hover:bg-sky-900";

const search = (word: string) => `/?q=${encodeURIComponent(word)}`;

/** The viewer's "Characteristics": what analysis found; each label and colour is a chip that searches for it. */
export function Characteristics({ value }: { value: ImageCharacteristics | null }) {
  return (
    <section aria-labelledby="characteristics-title">
      <h4 id="characteristics-title" className="mb-1.5 text-zinc-500 dark:text-zinc-400">
        Characteristics
      </h4>
      {value === null ? (
        <p className="text-zinc-600 dark:text-zinc-400">Analysing…</p>
      ) : (
        <div className="flex flex-col gap-2">
          {value.labels.length > 0 ? (
            <ul aria-label="Labels" className="flex flex-wrap gap-1.5">
              {value.labels.map((l) => (
                <li key={l.label}>
                  <Link href={search(l.label)} className={chip} title={`Confidence ${Math.round(l.score * 100)} %`}>
                    {l.label}
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-zinc-600 dark:text-zinc-400">No objects recognised.</p>
          )}
          {value.colours.length > 0 ? (
            <ul aria-label="Colours" className="flex flex-wrap gap-1.5">
              {value.colours.map((c) => (
                <li key={c}>
                  <Link href={search(c)} className={chip}>
                    {c}
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt className="text-zinc-500 dark:text-zinc-400">People</dt>
            <dd>{value.faces === 0 ? "No faces" : value.faces === 1 ? "1 face" : `${value.faces} faces`}</dd>
            <SensitiveContent sensitive={value.sensitive ?? null} />
            <dt className="text-zinc-500 dark:text-zinc-400">Shape</dt>
            <dd>
              {value.orientation}, {value.megapixels} MP
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Sharpness</dt>
            <dd>
              {value.sharpness}
              {value.blurry ? " (blurry)" : ""}
            </dd>
            <dt className="text-zinc-500 dark:text-zinc-400">Brightness</dt>
            <dd>
              {Math.round((value.brightness / 255) * 100)} %{value.dark ? " (dark)" : ""}
            </dd>
            {[value.animated && "Animated", value.transparent && "Transparency", value.screenshot && "Looks like a screenshot"].filter(Boolean).length ? (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Also</dt>
                <dd>{[value.animated && "Animated", value.transparent && "Transparency", value.screenshot && "Looks like a screenshot"].filter(Boolean).join(", ")}</dd>
              </>
            ) : null}
          </dl>
        </div>
      )}
    </section>
  );
}
