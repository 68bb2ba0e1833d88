"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { renameAlbumAction } from "@/app/(gallery)/albums/actions";
import { Field, inputClass } from "@/components/form-controls";
import { DialogActions, FormDialog } from "@/components/form-dialog";
import { errorMessage, runAction } from "@/components/run-action";

/** The album's title and description (both sealed on the server). */
export function RenameAlbumDialog({ albumId, title, description, onClose }: { albumId: string; title: string; description: string; onClose: () => void }) {
  const router = useRouter();
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
        <Field label="Title">
          {(control) => <input {...control} required maxLength={200} value={nextTitle} onChange={(e) => setTitle(e.target.value)} className={inputClass} />}
        </Field>
        <Field label="Description">
          {(control) => <textarea {...control} maxLength={2000} rows={3} value={nextDescription} onChange={(e) => setDescription(e.target.value)} className={inputClass} />}
        </Field>
        <DialogActions message={message} onClose={onClose} submit="Save" busy={busy} />
      </form>
    </FormDialog>
  );
}
