"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { createAlbumAction } from "@/app/(gallery)/albums/actions";
import { Field, inputClass, primaryButton } from "@/components/form-controls";
import { errorMessage, runAction } from "@/components/run-action";

/** "New album": a title, then the album's page (photos are added from the timeline's selection). */
export function NewAlbumForm() {
  const router = useRouter();
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
      <Field label="New album">
        {(control) => <input {...control} value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} placeholder="Title" className={inputClass} />}
      </Field>
      <button type="submit" disabled={busy} className={primaryButton}>
        Create album
      </button>
      <p role="status" aria-live="polite" className="w-full text-sm text-red-700 dark:text-red-400">
        {message}
      </p>
    </form>
  );
}
