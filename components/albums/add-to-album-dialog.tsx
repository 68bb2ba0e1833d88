"use client";

import { useEffect, useState } from "react";

import { addToAlbumAction, createAlbumAction } from "@/app/(gallery)/albums/actions";
import { networkErrorMessage, readApiError } from "@/components/api-error";
import { Field, inputClass } from "@/components/form-controls";
import { DialogActions, FormDialog } from "@/components/form-dialog";
import { plural } from "@/components/format";
import { errorMessage, runAction } from "@/components/run-action";
import type { SelectionWire } from "@/lib/selection-wire";

type AlbumChoice = { id: string; title: string; count: number };

const NEW = "new";

/** "Add to album": an existing album, or "New album" with a title, for the current selection. */
export function AddToAlbumDialog({
  selection,
  count,
  onClose,
  onDone,
}: {
  selection: SelectionWire;
  count: number;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [albums, setAlbums] = useState<AlbumChoice[] | null>(null);
  const [choice, setChoice] = useState<string>(NEW);
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");

  useEffect(() => {
    const controller = new AbortController();
    void (async () => {
      try {
        const res = await fetch("/api/albums", { signal: controller.signal, cache: "no-store" });
        if (!res.ok) throw new Error(await readApiError(res));
        const list = (await res.json()) as AlbumChoice[];
        setAlbums(list);
        if (list.length > 0) setChoice(list[0].id);
      } catch (err) {
        if (!controller.signal.aborted) setMessage(networkErrorMessage(err));
      }
    })();
    return () => controller.abort();
  }, []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage("");
    if (choice === NEW) {
      const result = await runAction(createAlbumAction, { title, selection });
      setBusy(false);
      if (result.status === "success") onDone(`Added ${plural(count, "image")} to the new album “${title.trim()}”.`);
      else setMessage(errorMessage(result));
      return;
    }
    const result = await runAction(addToAlbumAction, { albumId: choice, selection });
    setBusy(false);
    const name = albums?.find((a) => a.id === choice)?.title ?? "the album";
    if (result.status === "success") onDone(`Added ${plural(result.data?.added ?? 0, "image")} to “${name}”.`);
    else setMessage(errorMessage(result));
  };

  return (
    <FormDialog title={`Add ${plural(count, "image")} to an album`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-4">
        <fieldset className="flex max-h-72 flex-col gap-2 overflow-y-auto">
          <legend className="mb-2 text-sm font-medium">Album</legend>
          {albums === null && !message ? <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading albums…</p> : null}
          {(albums ?? []).map((album) => (
            <label key={album.id} className="flex items-center gap-2 text-sm">
              <input type="radio" name="album" value={album.id} checked={choice === album.id} onChange={() => setChoice(album.id)} />
              <span>
                {album.title} <span className="text-zinc-600 dark:text-zinc-400">({plural(album.count, "image")})</span>
              </span>
            </label>
          ))}
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="album" value={NEW} checked={choice === NEW} onChange={() => setChoice(NEW)} />
            New album
          </label>
        </fieldset>
        {choice === NEW ? (
          <Field label="Album title">
            {(control) => <input {...control} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} className={inputClass} />}
          </Field>
        ) : null}
        <DialogActions message={message} onClose={onClose} submit={busy ? "Adding…" : "Add to album"} busy={busy} />
      </form>
    </FormDialog>
  );
}
