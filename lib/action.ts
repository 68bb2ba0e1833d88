import "server-only";

import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import type { z } from "zod";

import { auth } from "@/lib/auth";
import { AppError, type ErrorCode, toPublicError } from "@/lib/errors";
import { keysReady } from "@/lib/key-maintenance";

export type ActionState<T = undefined> =
  | { status: "idle" }
  | { status: "success"; message?: string; data?: T }
  | {
      status: "error";
      code: ErrorCode;
      message: string;
      fieldErrors?: Record<string, string[]>;
      retryAfterSeconds?: number;
      /** What the user typed (never passwords), so a failed form does not come back empty. */
      values?: Record<string, string>;
    };

export type ActionUser = { id: string; name: string; username: string };

type Handler<S extends z.ZodType, R, U> = (args: { input: z.output<S>; user: U }) => Promise<R>;

type Options<S extends z.ZodType, R, U> = {
  schema: S;
  /** Pages whose server-rendered data the action changed. */
  revalidate?: string[];
  /** Where to go after success; computed from the handler's result when a function. */
  redirectTo?: string | ((result: R) => string);
  /** A short success message for the form's live region. */
  successMessage?: string;
  run: Handler<S, R, U>;
};

function toInput(input: unknown): unknown {
  if (input instanceof FormData) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of input.entries()) {
      if (key.startsWith("$ACTION")) continue;
      if (key in out) out[key] = ([] as unknown[]).concat(out[key], value);
      else out[key] = value;
    }
    return out;
  }
  return input;
}

function echoValues(input: unknown): Record<string, string> | undefined {
  if (!(input instanceof FormData)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of input.entries()) {
    if (typeof value === "string" && !/password/i.test(key) && !key.startsWith("$ACTION")) out[key] = value.slice(0, 200);
  }
  return out;
}

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

type ErrorState = Extract<ActionState<never>, { status: "error" }>;

function errorState(err: AppError, raw?: unknown): ErrorState {
  return {
    values: echoValues(raw),
    status: "error",
    code: err.code,
    message: err.message,
    fieldErrors: err.fieldErrors,
    retryAfterSeconds: err.retryAfterSeconds,
  };
}

async function finish<R>(opts: { revalidate?: string[]; redirectTo?: string | ((r: R) => string) }, result: R) {
  for (const p of opts.revalidate ?? []) revalidatePath(p);
  if (opts.redirectTo) redirect(typeof opts.redirectTo === "function" ? opts.redirectTo(result) : opts.redirectTo);
}

/** Validation, one call into lib/, then revalidate or redirect: the shared tail of every action. */
async function validateAndRun<S extends z.ZodType, R, U>(opts: Options<S, R, U>, raw: unknown, user: U): Promise<ActionState<R>> {
  const parsed = opts.schema.safeParse(toInput(raw));
  if (!parsed.success) {
    return {
      status: "error",
      code: "invalid_input",
      message: "Some fields need attention.",
      fieldErrors: fieldErrorsOf(parsed.error),
      values: echoValues(raw),
    };
  }
  let result: R;
  try {
    await keysReady();
    result = await opts.run({ input: parsed.data, user });
  } catch (err) {
    // A handler's redirect() or notFound() is Next's control flow, not a failure.
    unstable_rethrow(err);
    return errorState(toPublicError(err), raw);
  }
  // Outside the try: redirect() works by throwing, and must not become an error state.
  await finish(opts, result);
  return { status: "success", message: opts.successMessage, data: result };
}

/**
 * Every signed-in action takes the same steps in the same order: session,
 * validation, one call into lib/, then revalidate or redirect. Failures come
 * back as a typed state for useActionState, never as raw exceptions.
 */
export function authedAction<S extends z.ZodType, R = undefined>(opts: Options<S, R, ActionUser>) {
  return async (_prev: ActionState<R> | undefined, raw: unknown): Promise<ActionState<R>> => {
    const session = await auth();
    if (session?.unavailable) return errorState(new AppError("unavailable"));
    if (!session?.user?.id) return errorState(new AppError("unauthorized"));
    const user = { id: session.user.id, name: session.user.name ?? "", username: session.user.username };
    return validateAndRun(opts, raw, user);
  };
}

/** The same steps for the few actions that run signed out (register, sign in). */
export function publicAction<S extends z.ZodType, R = undefined>(opts: Options<S, R, null>) {
  return async (_prev: ActionState<R> | undefined, raw: unknown): Promise<ActionState<R>> => validateAndRun(opts, raw, null);
}
