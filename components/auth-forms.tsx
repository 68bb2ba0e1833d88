"use client";

import Link from "next/link";
import { useActionState } from "react";

import { loginAction, registerAction } from "@/app/(auth)/actions";
import { FormMessage, SubmitButton, TextField, fieldErrors, previousValue, useSchemaHints } from "@/components/form-controls";
import { PasskeySignInForm } from "@/components/passkey-forms";
import { loginSchema, registerSchema } from "@/lib/schemas";

export function LoginForm({ notice }: { notice?: string }) {
  const [state, action] = useActionState(loginAction, { status: "idle" });
  const hints = useSchemaHints(loginSchema);
  return (
    <div className="flex flex-col gap-4">
      <form action={action} aria-label="Sign in" className="flex flex-col gap-4" noValidate {...hints.formProps}>
        {notice ? <p className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">{notice}</p> : null}
        <TextField label="Username" name="username" defaultValue={previousValue(state, "username")} autoComplete="username" errors={hints.errors("username", fieldErrors(state, "username"))} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" errors={hints.errors("password", fieldErrors(state, "password"))} />
        <FormMessage state={state} />
        <SubmitButton>Sign in</SubmitButton>
      </form>
      <div className="flex items-center gap-3 text-xs uppercase text-zinc-600 dark:text-zinc-400" aria-hidden="true">
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
        or
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      </div>
      <PasskeySignInForm />
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        New here?{" "}
        <Link href="/register" className="font-medium text-sky-700 underline dark:text-sky-400">
          Create an account
        </Link>
      </p>
    </div>
  );
}

export function RegisterForm() {
  const [state, action] = useActionState(registerAction, { status: "idle" });
  const hints = useSchemaHints(registerSchema);
  return (
    <form action={action} className="flex flex-col gap-4" noValidate {...hints.formProps}>
      <TextField
        label="Username"
        name="username"
        defaultValue={previousValue(state, "username")}
        autoComplete="username"
        minLength={3}
        maxLength={32}
        hint="3–32 letters, digits, dots, underscores or hyphens."
        errors={hints.errors("username", fieldErrors(state, "username"))}
      />
      <TextField label="Display name" name="displayName" defaultValue={previousValue(state, "displayName")} autoComplete="name" maxLength={64} errors={hints.errors("displayName", fieldErrors(state, "displayName"))} />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={8}
        maxLength={128}
        hint="8–128 characters."
        errors={hints.errors("password", fieldErrors(state, "password"))}
      />
      <TextField
        label="Confirm password"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        errors={hints.errors("confirmPassword", fieldErrors(state, "confirmPassword"))}
      />
      <FormMessage state={state} />
      <SubmitButton>Create account</SubmitButton>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Already have an account?{" "}
        <Link href="/login" className="font-medium text-sky-700 underline dark:text-sky-400">
          Sign in
        </Link>
      </p>
    </form>
  );
}
