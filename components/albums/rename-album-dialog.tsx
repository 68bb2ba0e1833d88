"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";

import { renameAlbumAction } from "@/app/(gallery)/albums/actions";
import { FormDialog, inputClass, primaryButton, secondaryButton } from "@/components/form-dialog";
import { errorMessage, runAction } from "@/components/run-action";

/** The album's title and description (both sealed on the server). */
export function RenameAlbumDialog({ albumId, title, description, onClose }: { albumId: string; title: string; description: string; onClose: () => void }) {
  const router = useRouter();
  const ids = { title: useId(), description: useId() };
  const [nextTitle, setTitle] = useState(title);
  const [nextDescription, setDescription] = useState(description);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  return (
    <FormDialog title="Edit album" onClose={onClose}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          void runAction(renameAlbumAction, { albumId, title: nextTitle, description: nextDescription }).then((result) => {
            setBusy(false);
            if (result.status === "success") {
              router.refresh();
              onClose();
            } else setMessage(errorMessage(result));
          });
        }}
      >
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.title} className="text-sm font-medium">
            Title
          </label>
          <input id={ids.title} required maxLength={200} value={nextTitle} onChange={(e) => setTitle(e.target.value)} className={inputClass} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.description} className="text-sm font-medium">
            Description
          </label>
          <textarea id={ids.description} maxLength={2000} rows={3} value={nextDescription} onChange={(e) => setDescription(e.target.value)} className={inputClass} />
        </div>
        <p role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
          {message}
        </p>
        <div className="flex justify-end gap-3">
          <button type="button" onClick={onClose} className={secondaryButton}>
            Cancel
          </button>
          <button type="submit" disabled={busy} className={primaryButton}>
            Save
          </button>
        </div>
      </form>
    </FormDialog>
  );
}
