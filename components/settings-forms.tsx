"use client";

import { useActionState } from "react";

import { changePasswordAction, deleteAccountAction, signOutEverywhereAction } from "@/app/(account)/actions";
import { FormMessage, SubmitButton, TextField, fieldErrors, useSchemaHints } from "@/components/form-controls";
import { changePasswordSchema, deleteAccountSchema } from "@/lib/schemas";

const card = "rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900";

export function ChangePasswordForm() {
  const [state, action] = useActionState(changePasswordAction, { status: "idle" });
  const hints = useSchemaHints(changePasswordSchema);
  return (
    <section aria-labelledby="change-password" className={card}>
      <h2 id="change-password" className="mb-4 text-lg font-semibold">
        Change password
      </h2>
      <form action={action} className="flex flex-col gap-4" noValidate {...hints.formProps}>
        <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" errors={hints.errors("currentPassword", fieldErrors(state, "currentPassword"))} />
        <TextField label="New password" name="newPassword" type="password" autoComplete="new-password" hint="8–128 characters." errors={hints.errors("newPassword", fieldErrors(state, "newPassword"))} />
        <TextField label="Confirm new password" name="confirmPassword" type="password" autoComplete="new-password" errors={hints.errors("confirmPassword", fieldErrors(state, "confirmPassword"))} />
        <FormMessage state={state} />
        <div>
          <SubmitButton>Change password</SubmitButton>
        </div>
      </form>
    </section>
  );
}

export function SignOutEverywhereForm() {
  const [state, action] = useActionState(signOutEverywhereAction, { status: "idle" });
  return (
    <section aria-labelledby="sessions" className={card}>
      <h2 id="sessions" className="mb-2 text-lg font-semibold">
        Sessions
      </h2>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">Sign out on every device and browser, including this one.</p>
      <form action={action}>
        <FormMessage state={state} />
        <SubmitButton>Sign out everywhere</SubmitButton>
      </form>
    </section>
  );
}

export function DeleteAccountForm() {
  const [state, action] = useActionState(deleteAccountAction, { status: "idle" });
  const hints = useSchemaHints(deleteAccountSchema);
  return (
    <section aria-labelledby="delete-account" className={`${card} border-red-200 dark:border-red-900`}>
      <h2 id="delete-account" className="mb-2 text-lg font-semibold text-red-700 dark:text-red-400">
        Delete account
      </h2>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Permanently deletes your account, every image and everything derived from them. This cannot be undone.
      </p>
      <form action={action} className="flex flex-col gap-4" noValidate {...hints.formProps}>
        <TextField label="Password to confirm" name="password" type="password" autoComplete="current-password" errors={hints.errors("password", fieldErrors(state, "password"))} />
        <FormMessage state={state} />
        <div>
          <SubmitButton variant="danger">Delete account</SubmitButton>
        </div>
      </form>
    </section>
  );
}
