"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";

import { createAlbumAction } from "@/app/(gallery)/albums/actions";
import { inputClass, primaryButton } from "@/components/form-dialog";
import { errorMessage, runAction } from "@/components/run-action";

/** "New album": a title, then the album's page (photos are added from the timeline's selection). */
export function NewAlbumForm() {
  const router = useRouter();
  const id = useId();
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        void runAction(createAlbumAction, { title }).then((result) => {
          setBusy(false);
          if (result.status === "success" && result.data) router.push(`/albums/${result.data.id}`);
          else setMessage(errorMessage(result));
        });
      }}
    >
      <div className="flex flex-col gap-1">
        <label htmlFor={id} className="text-sm font-medium">
          New album
        </label>
        <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} placeholder="Title" className={inputClass} />
      </div>
      <button type="submit" disabled={busy} className={primaryButton}>
        Create album
      </button>
      <p role="status" aria-live="polite" className="w-full text-sm text-red-700 dark:text-red-400">
        {message}
      </p>
    </form>
  );
}
