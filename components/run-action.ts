// The one way client code runs a server action outside a <form>: the action's
// first argument (useActionState's previous state) is filled in here, and the
// answer is always an ActionState, also when the server cannot be reached.

import type { ActionState } from "@/lib/action";

export type { ActionState };

export type ErrorState = Extract<ActionState<never>, { status: "error" }>;

/** The shape of every action built by lib/action's authedAction/publicAction. */
export type ServerAction<I, R> = (previous: ActionState<R> | undefined, input: I) => Promise<ActionState<R>>;

export const OFFLINE_MESSAGE = "Couldn't reach the server. Check your connection and try again.";

/**
 * Calls `action` with `input` and returns its state. A request that never
 * reached the server comes back as an "unavailable" error state, unless
 * `throwOnNetworkError` asks for the exception (the upload engine retries those).
 */
export async function runAction<I, R>(action: ServerAction<I, R>, input: I, opts: { throwOnNetworkError?: boolean } = {}): Promise<ActionState<R>> {
  try {
    return await action(undefined, input);
  } catch (err) {
    if (opts.throwOnNetworkError) throw err;
    return { status: "error", code: "unavailable", message: OFFLINE_MESSAGE };
  }
}

/** The sentence to show for a failed state: the first field error, else the message. */
export function errorMessage(state: ActionState<unknown>): string {
  if (state.status !== "error") return "";
  const field = state.fieldErrors && Object.values(state.fieldErrors).flat()[0];
  return field || state.message || OFFLINE_MESSAGE;
}
