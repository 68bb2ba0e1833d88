import type { Metadata } from "next";

import { formatDate } from "@/components/format";
import { type PasskeyListItem, PasskeysSection } from "@/components/passkey-forms";
import { ChangePasswordForm, DeleteAccountForm, SignOutEverywhereForm } from "@/components/settings-forms";
import { listPasskeys } from "@/lib/passkey-store";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Settings" };

// Rendered on the server only, so one fixed locale and zone rather than the browser's.
const DATES = { locale: "en-US", timeZone: "UTC" };

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ changed?: string }> }) {
  const user = await requirePageUser();
  const { changed } = await searchParams;
  const passkeys: PasskeyListItem[] = (await listPasskeys({ userId: user.id })).map((p) => ({
    id: p.id,
    name: p.name,
    added: formatDate(p.createdAt, DATES),
    lastUsed: p.lastUsedAt ? formatDate(p.lastUsedAt, DATES) : null,
    synced: p.synced,
  }));
  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-6 p-4">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Signed in as <strong>{user.username}</strong>
      </p>
      {changed ? (
        <p role="status" className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          Password changed. Other devices have been signed out.
        </p>
      ) : null}
      <ChangePasswordForm />
      <PasskeysSection passkeys={passkeys} />
      <SignOutEverywhereForm />
      <DeleteAccountForm />
    </main>
  );
}
