"use client";

import { WebAuthnError, browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useActionState } from "react";

import { addPasskeyAction, passkeyRegistrationOptionsAction } from "@/app/(account)/actions";
import { passkeySignInAction, passkeySignInOptionsAction } from "@/app/(auth)/actions";
import type { ActionState } from "@/lib/action";

/**
 * A passkey ceremony is three steps (server options, the browser's
 * authenticator, server verification) behind one form submit, so the forms
 * keep the usual useActionState + FormMessage shape: each hook returns the
 * state of whichever step ended the ceremony.
 */

type State = ActionState<unknown>;

const IDLE: State = { status: "idle" };

function failure(message: string, values?: Record<string, string>): State {
  return { status: "error", code: "passkey_failed", message, values };
}

/** The browser's refusals, in words; the server's own are already worded (lib/errors). */
function ceremonyFailure(err: unknown, ceremony: "register" | "sign-in", values?: Record<string, string>): State {
  const code = err instanceof WebAuthnError ? err.code : undefined;
  const name = err instanceof Error ? err.name : "";
  if (code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED" || name === "InvalidStateError") {
    return failure("This device already holds a passkey for your account.", values);
  }
  if (code === "ERROR_INVALID_DOMAIN" || code === "ERROR_INVALID_RP_ID" || name === "SecurityError") {
    return failure("Passkeys need this site to be opened at its domain name, over HTTPS or on localhost.", values);
  }
  if (code === "ERROR_CEREMONY_ABORTED" || name === "NotAllowedError" || name === "AbortError") {
    // The browser says the same for "cancelled", "timed out" and "no passkey here", on purpose.
    return failure(
      ceremony === "register"
        ? "Adding the passkey was cancelled or timed out."
        : "Passkey sign-in was cancelled or timed out, or this device has no passkey for this site.",
      values,
    );
  }
  return failure(ceremony === "register" ? "Your device could not create a passkey." : "Your device could not use a passkey.", values);
}

function unsupported(values?: Record<string, string>): State {
  return failure("This browser does not support passkeys.", values);
}

function responseForm(response: unknown): FormData {
  const form = new FormData();
  form.set("response", JSON.stringify(response));
  return form;
}

/** Settings → "Add a passkey": password check and options, the authenticator, then storing the credential. */
export function usePasskeyRegistration() {
  return useActionState<State, FormData>(async (_prev, form) => {
    const values = { name: String(form.get("name") ?? "") };
    if (!browserSupportsWebAuthn()) return unsupported(values);
    const options = await passkeyRegistrationOptionsAction(undefined, form);
    if (options.status !== "success" || !options.data) return options;
    let response;
    try {
      response = await startRegistration({ optionsJSON: options.data });
    } catch (err) {
      return ceremonyFailure(err, "register", values);
    }
    return addPasskeyAction(undefined, responseForm(response));
  }, IDLE);
}

/** Sign-in page → "Sign in with a passkey": a challenge, the authenticator, then Auth.js (redirects on success). */
export function usePasskeySignIn() {
  return useActionState<State, FormData>(async () => {
    if (!browserSupportsWebAuthn()) return unsupported();
    const options = await passkeySignInOptionsAction(undefined, new FormData());
    if (options.status !== "success" || !options.data) return options;
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options.data });
    } catch (err) {
      return ceremonyFailure(err, "sign-in");
    }
    return passkeySignInAction(undefined, responseForm(response));
  }, IDLE);
}
