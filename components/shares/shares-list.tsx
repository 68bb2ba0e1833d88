"use client";

import { useState } from "react";

import { revokeShareAction, updateShareAction } from "@/app/(gallery)/shares/actions";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { secondaryButton } from "@/components/form-controls";
import { DialogActions, FormDialog } from "@/components/form-dialog";
import { errorMessage, runAction } from "@/components/run-action";
import { ExpiryFields, PasswordField } from "@/components/shares/share-fields";
import { copyLink } from "@/components/shares/share-link";
import type { ExpiryChoice, ShareSummary } from "@/lib/share-types";

const date = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });

function status(share: ShareSummary): string {
  if (share.revokedAt) return "Revoked";
  if (share.expired) return "Expired";
  return share.expiresAt ? `Until ${date(share.expiresAt)}` : "Never expires";
}

/** Every link with its scope, dates, password, views and downloads; edit expiry and password, copy, revoke. */
export function SharesList({ shares }: { shares: ShareSummary[] }) {
  const [message, setMessage] = useState("");
  const [editing, setEditing] = useState<ShareSummary | null>(null);
  const [revoking, setRevoking] = useState<ShareSummary | null>(null);
  const [busy, setBusy] = useState(false);

  const copy = async (share: ShareSummary) => {
    setMessage((await copyLink(share.url)) ? "Link copied." : "The link could not be copied.");
  };

  return (
    <>
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-700 dark:text-zinc-300">
        {message}
      </p>
      {shares.length === 0 ? (
        <p className="text-zinc-600 dark:text-zinc-400">No links yet. Share an album, or select photos and choose “Share”.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Your share links</caption>
            <thead className="border-b border-zinc-200 dark:border-zinc-800">
              <tr>
                <th scope="col" className="py-2 pr-4">Shared</th>
                <th scope="col" className="py-2 pr-4">Created</th>
                <th scope="col" className="py-2 pr-4">Expires</th>
                <th scope="col" className="py-2 pr-4">Password</th>
                <th scope="col" className="py-2 pr-4">Views</th>
                <th scope="col" className="py-2 pr-4">Downloads</th>
                <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {shares.map((share) => {
                const live = !share.revokedAt && !share.expired;
                return (
                  <tr key={share.id} className="border-b border-zinc-100 dark:border-zinc-900">
                    <th scope="row" className="py-2 pr-4 font-medium">{share.scope}</th>
                    <td className="py-2 pr-4">{date(share.createdAt)}</td>
                    <td className="py-2 pr-4">{status(share)}</td>
                    <td className="py-2 pr-4">{share.hasPassword ? "Yes" : "No"}</td>
                    <td className="py-2 pr-4 tabular-nums">{share.views}</td>
                    <td className="py-2 pr-4 tabular-nums">{share.downloads}</td>
                    <td className="flex flex-wrap gap-2 py-2">
                      {live ? (
                        <>
                          <button type="button" className={secondaryButton} onClick={() => void copy(share)} aria-label={`Copy link: ${share.scope}`}>
                            Copy link
                          </button>
                          <button type="button" className={secondaryButton} onClick={() => setEditing(share)} aria-label={`Edit: ${share.scope}`}>
                            Edit
                          </button>
                          <button
                            type="button"
                            className="rounded-md border border-red-300 px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
                            onClick={() => setRevoking(share)}
                            aria-label={`Revoke: ${share.scope}`}
                          >
                            Revoke
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">Views count page loads of the link; downloads count originals and zips.</p>
        </div>
      )}
      {editing ? <EditShareDialog share={editing} onClose={() => setEditing(null)} onSaved={(text) => (setEditing(null), setMessage(text))} /> : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke the link to ${revoking.scope}?`}
          confirmLabel="Revoke"
          busy={busy}
          onCancel={() => !busy && setRevoking(null)}
          onConfirm={() => {
            setBusy(true);
            void runAction(revokeShareAction, { shareId: revoking.id }).then((result) => {
              setBusy(false);
              setRevoking(null);
              setMessage(result.status === "success" ? "Link revoked." : errorMessage(result));
            });
          }}
        >
          Anyone with the link, or with an image address copied from it, gets “not found” from now on.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function EditShareDialog({ share, onClose, onSaved }: { share: ShareSummary; onClose: () => void; onSaved: (message: string) => void }) {
  const [expires, setExpires] = useState<ExpiryChoice | "keep">("keep");
  const [day, setDay] = useState("");
  const [password, setPassword] = useState("");
  const [removePassword, setRemovePassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  return (
    <FormDialog title={`Edit the link to ${share.scope}`} onClose={onClose}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          void runAction(updateShareAction, {
            shareId: share.id,
            expires: expires === "keep" ? undefined : expires,
            date: expires === "date" ? day : undefined,
            password: password || undefined,
            removePassword,
          }).then((result) => {
            setBusy(false);
            if (result.status === "success") onSaved("Link saved.");
            else setMessage(errorMessage(result));
          });
        }}
      >
        <ExpiryFields value={expires} onChange={setExpires} keep={`Keep: ${status(share)}`} date={day} onDateChange={setDay} />
        <PasswordField label={share.hasPassword ? "New password" : "Password"} value={password} onChange={setPassword} disabled={removePassword} />
        {share.hasPassword ? (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={removePassword} onChange={(e) => setRemovePassword(e.target.checked)} />
            Remove the password
          </label>
        ) : null}
        <DialogActions message={message} onClose={onClose} submit="Save" busy={busy} />
      </form>
    </FormDialog>
  );
}
