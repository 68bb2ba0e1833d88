"use client";

const button =
  "rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800";

/** The actions for the current selection; every control is a labelled button, so the keyboard reaches all of it. */
export function SelectionBar({
  count,
  total,
  busy,
  onSelectAll,
  onClear,
  actions,
}: {
  count: number;
  total: number;
  busy: boolean;
  onSelectAll: () => void;
  onClear: () => void;
  actions: { label: string; onClick: () => void; tone?: "danger" }[];
}) {
  return (
    <div
      role="toolbar"
      aria-label="Selection"
      className="sticky top-[57px] z-10 -mx-4 flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-zinc-50/95 px-4 py-2 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95"
    >
      <span className="mr-2 text-sm tabular-nums text-zinc-700 dark:text-zinc-300" aria-live="polite">
        {count > 0 ? `${count} of ${total} selected` : `${total} image${total === 1 ? "" : "s"}`}
      </span>
      <button type="button" className={button} onClick={onSelectAll} disabled={busy || total === 0 || count === total}>
        Select all
      </button>
      {count > 0 ? (
        <>
          <button type="button" className={button} onClick={onClear} disabled={busy}>
            Clear selection
          </button>
          <span className="mx-1 h-5 w-px bg-zinc-300 dark:bg-zinc-700" aria-hidden="true" />
          {actions.map((a) => (
            <button
              key={a.label}
              type="button"
              onClick={a.onClick}
              disabled={busy}
              className={
                a.tone === "danger"
                  ? "rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50"
                  : "rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50"
              }
            >
              {a.label}
            </button>
          ))}
        </>
      ) : null}
    </div>
  );
}
