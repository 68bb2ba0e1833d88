"use client";

import { useCallback, useId, useState } from "react";
import { useFormStatus } from "react-dom";
import type { z } from "zod";

export type FormState =
  | { status: "idle" }
  | { status: "success"; message?: string }
  | { status: "error"; message: string; fieldErrors?: Record<string, string[]>; values?: Record<string, string> };

export const inputClass =
  "rounded-md border border-zinc-300 bg-white px-3 py-2 text-base shadow-sm dark:border-zinc-700 dark:bg-zinc-900 aria-[invalid=true]:border-red-500";
export const primaryButton =
  "rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-sky-800 disabled:opacity-60";
export const secondaryButton =
  "rounded-md border border-zinc-300 px-4 py-2 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";

/**
 * A visible label above its control, with an optional hint and errors below
 * it. `children` draws the control with the id and aria-describedby that tie
 * them together, so the label is the control's accessible name.
 */
export function Field({
  label,
  hint,
  errors,
  children,
}: {
  label: React.ReactNode;
  hint?: string;
  errors?: string[];
  children: (control: { id: string; "aria-describedby": string | undefined }) => React.ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children({ id, "aria-describedby": described || undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** A text or password input of a server-action form (its value travels by `name`). */
export function TextField({
  label,
  name,
  type = "text",
  autoComplete,
  errors,
  defaultValue,
  required = true,
  minLength,
  maxLength,
  hint,
}: {
  label: string;
  name: string;
  type?: "text" | "password";
  autoComplete?: string;
  errors?: string[];
  defaultValue?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  hint?: string;
}) {
  return (
    <Field label={label} hint={hint} errors={errors}>
      {(control) => (
        <input
          {...control}
          name={name}
          type={type}
          autoComplete={autoComplete}
          defaultValue={defaultValue}
          required={required}
          minLength={minLength}
          maxLength={maxLength}
          aria-invalid={errors?.length ? true : undefined}
          className={inputClass}
        />
      )}
    </Field>
  );
}

const BUTTON_COLOURS = {
  // 700 rather than 600: white text on 600 misses WCAG AA contrast.
  primary: "bg-sky-700 hover:bg-sky-800 text-white",
  danger: "bg-red-700 hover:bg-red-800 text-white",
  secondary:
    "border border-zinc-300 bg-white text-zinc-900 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800",
};

export function SubmitButton({ children, variant = "primary" }: { children: React.ReactNode; variant?: keyof typeof BUTTON_COLOURS }) {
  const { pending } = useFormStatus();
  const colours = BUTTON_COLOURS[variant];
  return (
    <button
      type="submit"
      disabled={pending}
      aria-disabled={pending}
      className={`rounded-md px-4 py-2 font-medium shadow-sm disabled:opacity-60 ${colours}`}
    >
      {children}
    </button>
  );
}

/** Announces the outcome of a form to screen readers and shows it to everyone. */
export function FormMessage({ state }: { state: FormState | undefined }) {
  const text = state && state.status !== "idle" ? state.message ?? "" : "";
  const tone = state?.status === "error" ? "text-red-700 dark:text-red-400" : "text-emerald-700 dark:text-emerald-400";
  return (
    <p role="status" aria-live="polite" className={`min-h-5 text-sm ${tone}`}>
      {text}
    </p>
  );
}

/** The value to show again after a failed submit (React resets forms after an action). */
export function previousValue(state: FormState | undefined, name: string): string | undefined {
  return state?.status === "error" ? state.values?.[name] : undefined;
}

export function fieldErrors(state: FormState | undefined, name: string): string[] | undefined {
  return state?.status === "error" ? state.fieldErrors?.[name] : undefined;
}

/**
 * Client-side hints from the same zod schema the server action checks
 * (lib/schemas.ts): a field is checked once the user leaves it, and again as
 * they type in it; the server's answer still decides. Spread `formProps` on
 * the <form>, and read a field's messages with `errors(name, serverErrors)`.
 */
export function useSchemaHints(schema: z.ZodType) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [issues, setIssues] = useState<Record<string, string[]>>({});

  const check = useCallback(
    (form: HTMLFormElement) => {
      const values: Record<string, string> = {};
      for (const [key, value] of new FormData(form).entries()) if (typeof value === "string") values[key] = value;
      const result = schema.safeParse(values);
      const next: Record<string, string[]> = {};
      if (!result.success) for (const issue of result.error.issues) (next[issue.path.join(".") || "form"] ??= []).push(issue.message);
      setIssues(next);
    },
    [schema],
  );

  const formProps = {
    onBlur: (event: React.FocusEvent<HTMLFormElement>) => {
      const name = (event.target as unknown as HTMLInputElement).name;
      if (!name) return;
      setTouched((prev) => (prev.has(name) ? prev : new Set(prev).add(name)));
      check(event.currentTarget);
    },
    onChange: (event: React.ChangeEvent<HTMLFormElement>) => {
      if (touched.has((event.target as unknown as HTMLInputElement).name)) check(event.currentTarget);
    },
  };

  /** The hint for a field the user has left, else what the server said about it. */
  const errors = (name: string, server?: string[]): string[] | undefined => (touched.has(name) && issues[name]?.length ? issues[name] : server);

  return { formProps, errors };
}
