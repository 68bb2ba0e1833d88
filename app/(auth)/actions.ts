"use server";

import { AuthError, CredentialsSignin } from "next-auth";

import { requestAddress, requestRelyingParty, signIn, signOut } from "@/lib/auth";
import { authedAction, publicAction } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { beginPasskeySignIn } from "@/lib/passkeys";
import { formatWait } from "@/lib/rate-limit";
import { emptySchema, loginSchema, passkeySignInSchema, registerSchema } from "@/lib/schemas";
import { registerUser } from "@/lib/users";

const PASSKEY_REFUSALS = ["passkey_unknown", "passkey_failed", "passkey_expired"] as const;

/** Signs in through Auth.js and turns its errors (lib/auth.ts `refusal`) into our typed ones. */
async function signInThrough(provider: "credentials" | "passkey", fields: Record<string, string>): Promise<void> {
  try {
    await signIn(provider, { ...fields, redirect: false });
  } catch (err) {
    if (err instanceof CredentialsSignin && err.code?.startsWith("rate_limited:")) {
      const seconds = Number(err.code.split(":")[1]) || 60;
      throw new AppError("rate_limited", `Too many sign-in attempts. Try again in ${formatWait(seconds)}.`, { retryAfterSeconds: seconds });
    }
    const passkeyRefusal = err instanceof CredentialsSignin ? PASSKEY_REFUSALS.find((c) => c === err.code) : undefined;
    if (passkeyRefusal) throw new AppError(passkeyRefusal);
    if (err instanceof AuthError) {
      throw provider === "passkey" ? new AppError("passkey_failed") : new AppError("unauthorized", "Wrong username or password.");
    }
    throw err;
  }
}

export const loginAction = publicAction({
  schema: loginSchema,
  redirectTo: "/",
  run: ({ input }) => signInThrough("credentials", { username: input.username, password: input.password }),
});

/** Step 1 of "Sign in with a passkey": a challenge for the browser (components/use-passkeys.ts). */
export const passkeySignInOptionsAction = publicAction({
  schema: emptySchema,
  run: async () => beginPasskeySignIn({ ip: await requestAddress(), rp: await requestRelyingParty() }),
});

/** Step 2: the signed challenge goes through Auth.js's "passkey" provider, like a password. */
export const passkeySignInAction = publicAction({
  schema: passkeySignInSchema,
  redirectTo: "/",
  run: ({ input }) => signInThrough("passkey", { response: JSON.stringify(input.response) }),
});

export const registerAction = publicAction({
  schema: registerSchema,
  redirectTo: "/",
  run: async ({ input }) => {
    await registerUser({
      username: input.username,
      displayName: input.displayName,
      password: input.password,
      ip: await requestAddress(),
    });
    await signInThrough("credentials", { username: input.username, password: input.password });
  },
});

export const signOutAction = authedAction({
  schema: emptySchema,
  redirectTo: "/login",
  run: async () => {
    await signOut({ redirect: false });
  },
});
