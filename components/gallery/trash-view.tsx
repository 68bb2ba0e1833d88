"use client";

import { useState } from "react";

import { deleteForeverAction, emptyTrashAction, restoreImagesAction } from "@/app/(gallery)/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { formatBytes } from "@/components/format";
import { SelectionBar } from "@/components/selection-bar";
import { readApiError } from "@/components/use-gallery";
import { type SelectionPayload, useSelection } from "@/components/use-selection";
import { type GalleryItem, type GalleryPage, imageUrl } from "@/lib/gallery-types";
import { packSelection } from "@/lib/selection-wire";

type Pending = { kind: "forever"; payload: SelectionPayload; count: number } | { kind: "empty"; count: number };

export function TrashView({ initial, total: initialTotal }: { initial: GalleryPage; total: number }) {
  const [items, setItems] = useState<GalleryItem[]>(initial.items);
  const [cursor, setCursor] = useState(initial.nextCursor);
  const [total, setTotal] = useState(initialTotal);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const selection = useSelection({ items, total });

  const drop = (payload: SelectionPayload | null, count: number) => {
    if (payload === null) setItems([]);
    else if ("ids" in payload) {
      const gone = new Set(payload.ids);
      setItems((prev) => prev.filter((i) => !gone.has(i.id)));
    } else {
      const kept = new Set(payload.except ?? []);
      setItems((prev) => prev.filter((i) => kept.has(i.id)));
    }
    setTotal((t) => Math.max(0, t - count));
    selection.clear();
  };

  const run = async (work: () => Promise<{ status: string; message?: string; data?: unknown }>, done: (n: number) => void) => {
    setBusy(true);
    try {
      const result = await work();
      if (result.status === "success") done(Number(result.data ?? 0));
      else setMessage(result.message ?? "Something went wrong.");
    } catch {
      setMessage("Couldn't reach the server. Please try again.");
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const restore = () => {
    const payload = selection.payload;
    void run(
      () => restoreImagesAction(undefined, { selection: packSelection(payload) }),
      (n) => {
        drop(payload, n);
        setMessage(`Restored ${n} image${n === 1 ? "" : "s"}.`);
      },
    );
  };

  const loadMore = async () => {
    if (!cursor) return;
    const res = await fetch(`/api/images?trash=1&cursor=${encodeURIComponent(cursor)}`, { cache: "no-store" });
    if (!res.ok) {
      setMessage(await readApiError(res));
      return;
    }
    const page = (await res.json()) as GalleryPage;
    setItems((prev) => [...prev, ...page.items.filter((i) => !prev.some((p) => p.id === i.id))]);
    setCursor(page.nextCursor);
  };

  return (
    <section aria-label="Trashed images" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          disabled={busy || total === 0}
          onClick={() => setPending({ kind: "empty", count: total })}
          className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
        >
          Empty trash
        </button>
      </div>
      {total > 0 ? (
        <SelectionBar
          count={selection.count}
          total={total}
          busy={busy}
          onSelectAll={selection.selectAll}
          onClear={selection.clear}
          actions={[
            { label: "Restore", onClick: restore },
            { label: "Delete forever", tone: "danger", onClick: () => setPending({ kind: "forever", payload: selection.payload, count: selection.count }) },
          ]}
        />
      ) : null}
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>

      {items.length === 0 ? (
        <div className="mt-10 flex flex-col items-center gap-2 text-center">
          <h2 className="text-xl font-medium">The trash is empty</h2>
          <p className="text-zinc-600 dark:text-zinc-400">Images you delete from the gallery wait here before they are removed for good.</p>
        </div>
      ) : (
        <ul aria-label="Trashed images" className="grid grid-cols-[repeat(auto-fill,minmax(9.5rem,1fr))] gap-4">
          {items.map((item) => {
            const selected = selection.isSelected(item.id);
            return (
              <li key={item.id} data-testid="trash-item" className="relative">
                <label className="flex cursor-pointer flex-col gap-1.5">
                  <span className={`relative block aspect-square overflow-hidden rounded-xl bg-zinc-200 dark:bg-zinc-800 ${selected ? "ring-4 ring-sky-500" : ""}`}>
                    {/* eslint-disable-next-line @next/next/no-img-element -- private thumbnails, already resized on the server */}
                    <img src={`${imageUrl(item.id, "thumb")}?trash=1`} alt="" loading="lazy" className="size-full object-cover opacity-80" />
                    <input
                      type="checkbox"
                      aria-label={`Select ${item.name}`}
                      checked={selected}
                      onChange={() => {}}
                      onClick={(e) => selection.toggle(item.id, { shiftKey: e.shiftKey, selected: e.currentTarget.checked })}
                      className="absolute top-2 left-2 size-4 accent-sky-600"
                    />
                  </span>
                  <span className="truncate px-0.5 text-sm font-medium" title={item.name}>
                    {item.name}
                  </span>
                  <span className="px-0.5 text-xs text-zinc-500">{formatBytes(item.size)}</span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {cursor ? (
        <button type="button" onClick={() => void loadMore()} className="self-center rounded-md border px-4 py-2 text-sm">
          Load more
        </button>
      ) : null}

      {pending ? (
        <ConfirmDialog
          title={
            pending.kind === "empty"
              ? `Delete all ${pending.count} image${pending.count === 1 ? "" : "s"} in the trash forever?`
              : `Delete ${pending.count} image${pending.count === 1 ? "" : "s"} forever?`
          }
          confirmLabel={pending.kind === "empty" ? "Empty trash" : "Delete forever"}
          busy={busy}
          onCancel={() => !busy && setPending(null)}
          onConfirm={() => {
            if (pending.kind === "empty") {
              void run(
                () => emptyTrashAction(undefined, {}),
                (n) => {
                  drop(null, total);
                  setMessage(`Deleted ${n} image${n === 1 ? "" : "s"} forever.`);
                },
              );
            } else {
              const payload = pending.payload;
              void run(
                () => deleteForeverAction(undefined, { selection: packSelection(payload) }),
                (n) => {
                  drop(payload, n);
                  setMessage(`Deleted ${n} image${n === 1 ? "" : "s"} forever.`);
                },
              );
            }
          }}
        >
          This removes the images and every copy of their data. It cannot be undone.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
