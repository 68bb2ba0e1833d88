"use client";

import { formatBytes, formatDate, formatDimensions, formatExposure, formatTakenAt } from "@/components/format";
import { PinIcon, Spinner } from "@/components/icons";
import { Characteristics } from "@/components/viewer/characteristics";
import type { DetailsEntry } from "@/components/viewer/use-image-details";
import type { GalleryItem } from "@/lib/gallery-types";

const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** What the server knows of an image; the gallery item's own fields show until the details arrive. */
export function DetailsPanel({
  item,
  entry,
  onRetry,
}: {
  item: GalleryItem;
  entry: DetailsEntry | undefined;
  onRetry: () => void;
}) {
  const data = entry?.status === "ready" ? entry.data : null;
  const base = data ?? item;
  const exposure = data ? formatExposure(data.exposure) : null;
  const palette = data ? data.palette.filter((colour) => COLOUR.test(colour)) : [];

  return (
    <div className="flex flex-col gap-4 text-sm">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
        <Row term="Dimensions">{formatDimensions(base.width, base.height)}</Row>
        <Row term="Type">{base.mime || "—"}</Row>
        <Row term="Size">
          <span title={`${base.size.toLocaleString("en-US")} bytes`}>{formatBytes(base.size)}</span>
        </Row>
        <Row term="Uploaded">
          <time dateTime={base.createdAt}>{formatDate(base.createdAt, { withTime: true })}</time>
        </Row>
        {data?.takenAt ? (
          <Row term="Taken">
            <time dateTime={data.takenAt}>{formatTakenAt(data.takenAt)}</time>
          </Row>
        ) : null}
        {data?.camera ? <Row term="Camera">{data.camera}</Row> : null}
        {data?.lens ? <Row term="Lens">{data.lens}</Row> : null}
        {exposure ? <Row term="Exposure">{exposure}</Row> : null}
      </dl>

      {palette.length > 0 ? (
        <div>
          <p className="mb-1.5 text-zinc-500 dark:text-zinc-400">Palette</p>
          <ul aria-label="Colour palette" className="flex flex-wrap gap-1.5">
            {palette.map((colour, i) => (
              <li key={`${colour}-${i}`}>
                <span
                  title={colour}
                  style={{ backgroundColor: colour }}
                  className="block size-7 rounded-md shadow-inner ring-1 ring-black/10 dark:ring-white/15"
                />
                <span className="sr-only">{colour}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {data ? <Characteristics value={data.characteristics ?? null} /> : null}

      {data?.hasLocation ? (
        <p className="flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-950/50 dark:text-amber-200">
          <PinIcon className="mt-0.5 size-4 shrink-0" />
          Location stored (never shared publicly)
        </p>
      ) : null}

      {entry === undefined ? (
        <p role="status" className="flex items-center gap-2 text-zinc-500 dark:text-zinc-400">
          <Spinner className="size-4" />
          Loading details…
        </p>
      ) : null}
      {entry?.status === "error" ? (
        <div role="alert" className="flex flex-col items-start gap-2 text-red-700 dark:text-red-400">
          <p>Couldn&apos;t load the details. {entry.message}</p>
          <button
            type="button"
            onClick={onRetry}
            className="rounded-md border border-zinc-300 bg-white px-3 py-1 font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-700"
          >
            Try again
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Row({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{term}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  );
}
