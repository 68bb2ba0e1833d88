"use client";

import { useId, useState } from "react";

import { createShareAction } from "@/app/(gallery)/shares/actions";
import { FormDialog, inputClass, primaryButton, secondaryButton } from "@/components/form-dialog";
import { errorMessage, runAction } from "@/components/run-action";
import type { SelectionWire } from "@/lib/selection-wire";
import type { ExpiryChoice } from "@/lib/share-types";

export const EXPIRY_OPTIONS: { value: ExpiryChoice; label: string }[] = [
  { value: "never", label: "Never" },
  { value: "1", label: "In 1 day" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "date", label: "On a date…" },
];

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
  const ids = { expires: useId(), date: useId(), password: useId(), name: useId(), link: useId() };
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
      setUrl(new URL(result.data.url, window.location.origin).toString());
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
    try {
      await navigator.clipboard.writeText(url);
      setMessage("Link copied.");
    } catch {
      setMessage("Copy the link from the box above.");
    }
  };

  return (
    <FormDialog title={`Share ${what}`} onClose={onClose}>
      {url ? (
        <div className="flex flex-col gap-3">
          <label htmlFor={ids.link} className="text-sm font-medium">
            Link
          </label>
          <input id={ids.link} readOnly value={url} onFocus={(e) => e.currentTarget.select()} className={inputClass} />
          <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
            {message}
          </p>
          <div className="flex justify-end gap-3">
            <button type="button" onClick={onClose} className={secondaryButton}>
              Done
            </button>
            <button type="button" onClick={() => void copy()} className={primaryButton}>
              Copy link
            </button>
          </div>
        </div>
      ) : (
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <div className="flex flex-col gap-1">
            <label htmlFor={ids.expires} className="text-sm font-medium">
              Expires
            </label>
            <select id={ids.expires} value={expires} onChange={(e) => setExpires(e.target.value as ExpiryChoice)} className={inputClass}>
              {EXPIRY_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          {expires === "date" ? (
            <div className="flex flex-col gap-1">
              <label htmlFor={ids.date} className="text-sm font-medium">
                Expiry date
              </label>
              <input id={ids.date} type="date" required min={today()} value={date} onChange={(e) => setDate(e.target.value)} className={inputClass} />
            </div>
          ) : null}
          <div className="flex flex-col gap-1">
            <label htmlFor={ids.password} className="text-sm font-medium">
              Password
            </label>
            <input
              id={ids.password}
              type="password"
              autoComplete="new-password"
              maxLength={128}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={`${ids.password}-hint`}
              className={inputClass}
            />
            <p id={`${ids.password}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
              Optional. Visitors must enter it before they see anything.
            </p>
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={ids.name} className="text-sm font-medium">
              Your name on the page
            </label>
            <input
              id={ids.name}
              maxLength={80}
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              aria-describedby={`${ids.name}-hint`}
              className={inputClass}
            />
            <p id={`${ids.name}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
              Optional. Without it, visitors see no name at all.
            </p>
          </div>
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
          <p role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
            {message}
          </p>
          <div className="flex justify-end gap-3">
            <button type="button" onClick={onClose} className={secondaryButton}>
              Cancel
            </button>
            {askAnyway ? (
              <button type="button" disabled={busy} onClick={() => void create(true)} className={primaryButton}>
                Share anyway
              </button>
            ) : (
              <button type="submit" disabled={busy} className={primaryButton}>
                {busy ? "Creating…" : "Create link"}
              </button>
            )}
          </div>
        </form>
      )}
    </FormDialog>
  );
}
