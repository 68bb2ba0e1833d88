"use client";

import { useId, useState } from "react";

import { createShareAction } from "@/app/(gallery)/shares/actions";
import { Field, inputClass, primaryButton } from "@/components/form-controls";
import { DialogActions, FormDialog } from "@/components/form-dialog";
import { errorMessage, runAction } from "@/components/run-action";
import { ExpiryFields, PasswordField } from "@/components/shares/share-fields";
import { copyLink, fullUrl } from "@/components/shares/share-link";
import type { SelectionWire } from "@/lib/selection-wire";
import type { ExpiryChoice } from "@/lib/share-types";

/** Today in the browser's zone, for the date picker's minimum. */
const today = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

/**
 * "Share": the link's options, then "Create link" and "Copy link". If some
 * images are flagged sensitive (issue 11's characteristics), the server
 * answers a conflict and the owner is asked "Share anyway?".
 */
export function ShareDialog({
  scope,
  what,
  onClose,
}: {
  scope: { albumId: string } | { selection: SelectionWire };
  /** "this album", "3 images". */
  what: string;
  onClose: () => void;
}) {
  const linkId = useId();
  const [expires, setExpires] = useState<ExpiryChoice>("never");
  const [date, setDate] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [allowDownload, setAllowDownload] = useState(true);
  const [includeMeta, setIncludeMeta] = useState(false);
  const [hideNames, setHideNames] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [askAnyway, setAskAnyway] = useState(false);
  const [url, setUrl] = useState<string | null>(null);

  const create = async (shareAnyway = false) => {
    setBusy(true);
    setMessage("");
    const result = await runAction(createShareAction, {
      ...scope,
      expires,
      date: expires === "date" ? date : undefined,
      password: password || undefined,
      allowDownload,
      includeMeta,
      hideNames,
      displayName: displayName || undefined,
      shareAnyway,
    });
    setBusy(false);
    if (result.status === "success" && result.data) {
      setUrl(fullUrl(result.data.url));
      setMessage("Link created.");
      setAskAnyway(false);
    } else if (result.status === "error" && result.code === "conflict") {
      setAskAnyway(true);
      setMessage(result.message);
    } else {
      setMessage(errorMessage(result));
    }
  };

  const copy = async () => {
    if (!url) return;
    setMessage((await copyLink(url)) ? "Link copied." : "Copy the link from the box above.");
  };

  return (
    <FormDialog title={`Share ${what}`} onClose={onClose}>
      {url ? (
        <div className="flex flex-col gap-3">
          <label htmlFor={linkId} className="text-sm font-medium">
            Link
          </label>
          <input id={linkId} readOnly value={url} onFocus={(e) => e.currentTarget.select()} className={inputClass} />
          <DialogActions message={message} tone="info" closeLabel="Done" onClose={onClose}>
            <button type="button" onClick={() => void copy()} className={primaryButton}>
              Copy link
            </button>
          </DialogActions>
        </div>
      ) : (
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <ExpiryFields value={expires} onChange={setExpires} date={date} onDateChange={setDate} minDate={today()} />
          <PasswordField label="Password" hint="Optional. Visitors must enter it before they see anything." value={password} onChange={setPassword} />
          <Field label="Your name on the page" hint="Optional. Without it, visitors see no name at all.">
            {(control) => <input {...control} maxLength={80} value={displayName} onChange={(e) => setDisplayName(e.target.value)} className={inputClass} />}
          </Field>
          <fieldset className="flex flex-col gap-2 text-sm">
            <legend className="sr-only">Options</legend>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={allowDownload} onChange={(e) => setAllowDownload(e.target.checked)} />
              Allow downloads
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={includeMeta} onChange={(e) => setIncludeMeta(e.target.checked)} />
              Include location and camera data
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={hideNames} onChange={(e) => setHideNames(e.target.checked)} />
              Hide file names
            </label>
          </fieldset>
          <DialogActions message={message} onClose={onClose}>
            {askAnyway ? (
              <button type="button" disabled={busy} onClick={() => void create(true)} className={primaryButton}>
                Share anyway
              </button>
            ) : (
              <button type="submit" disabled={busy} className={primaryButton}>
                {busy ? "Creating…" : "Create link"}
              </button>
            )}
          </DialogActions>
        </form>
      )}
    </FormDialog>
  );
}
