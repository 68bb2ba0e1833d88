"use client";

import { useActionState } from "react";

import { removePasskeyAction } from "@/app/(account)/actions";
import { FormMessage, SubmitButton, TextField, fieldErrors, previousValue } from "@/components/form-controls";
import { usePasskeyRegistration, usePasskeySignIn } from "@/components/use-passkeys";

const card = "rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900";

/** One passkey as the settings page lists it; dates are already formatted on the server. */
export type PasskeyListItem = { id: string; name: string; added: string; lastUsed: string | null; synced: boolean };

/** Settings: the account's passkeys, each with "Remove", and "Add a passkey". */
export function PasskeysSection({ passkeys }: { passkeys: PasskeyListItem[] }) {
  return (
    <section aria-labelledby="passkeys" className={card}>
      <h2 id="passkeys" className="mb-2 text-lg font-semibold">
        Passkeys
      </h2>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Sign in with your fingerprint, face, screen lock or security key instead of typing your password. Your password keeps working.
      </p>
      {passkeys.length ? (
        <ul aria-label="Your passkeys" className="mb-6 divide-y divide-zinc-200 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {passkeys.map((p) => (
            <PasskeyRow key={p.id} passkey={p} />
          ))}
        </ul>
      ) : (
        <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">You have no passkeys yet.</p>
      )}
      <AddPasskeyForm />
    </section>
  );
}

function PasskeyRow({ passkey }: { passkey: PasskeyListItem }) {
  const [state, action] = useActionState(removePasskeyAction, { status: "idle" });
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 p-3">
      <div className="min-w-0">
        <p className="truncate font-medium">{passkey.name}</p>
        <p className="text-xs text-zinc-500">
          Added {passkey.added} · {passkey.lastUsed ? `last used ${passkey.lastUsed}` : "never used"}
          {passkey.synced ? " · synced" : ""}
        </p>
        <FormMessage state={state} />
      </div>
      <form action={action}>
        <input type="hidden" name="id" value={passkey.id} />
        <SubmitButton variant="secondary">
          Remove<span className="sr-only"> passkey {passkey.name}</span>
        </SubmitButton>
      </form>
    </li>
  );
}

function AddPasskeyForm() {
  const [state, action] = usePasskeyRegistration();
  return (
    <form action={action} aria-labelledby="add-passkey" className="flex flex-col gap-4" noValidate>
      <h3 id="add-passkey" className="font-medium">
        Add a passkey
      </h3>
      <TextField
        label="Passkey name"
        name="name"
        defaultValue={previousValue(state, "name")}
        autoComplete="off"
        maxLength={64}
        hint="So you can tell your passkeys apart, for example “Laptop” or “Phone”."
        errors={fieldErrors(state, "name")}
      />
      <TextField
        label="Your password"
        name="password"
        type="password"
        autoComplete="current-password"
        hint="A passkey is a new way into your account, so it needs your password."
        errors={fieldErrors(state, "password")}
      />
      <FormMessage state={state} />
      <div>
        <SubmitButton>Add a passkey</SubmitButton>
      </div>
    </form>
  );
}

/** The sign-in page's second way in. */
export function PasskeySignInForm() {
  const [state, action] = usePasskeySignIn();
  return (
    <form action={action} aria-label="Sign in with a passkey" className="flex flex-col gap-2">
      <SubmitButton variant="secondary">Sign in with a passkey</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
