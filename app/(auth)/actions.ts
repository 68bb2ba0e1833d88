"use server";

import { AuthError, CredentialsSignin } from "next-auth";

import { requestAddress, signIn, signOut } from "@/lib/auth";
import { authedAction, publicAction } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { emptySchema, loginSchema, registerSchema } from "@/lib/schemas";
import { registerUser } from "@/lib/users";

/** Signs in through Auth.js and turns its errors into our typed ones. */
async function signInWithPassword(username: string, password: string): Promise<void> {
  try {
    await signIn("credentials", { username, password, redirect: false });
  } catch (err) {
    if (err instanceof CredentialsSignin && err.code?.startsWith("rate_limited:")) {
      const seconds = Number(err.code.split(":")[1]) || 60;
      const wait = seconds < 60 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minute${seconds > 60 ? "s" : ""}`;
      throw new AppError("rate_limited", `Too many sign-in attempts. Try again in ${wait}.`, { retryAfterSeconds: seconds });
    }
    if (err instanceof AuthError) throw new AppError("unauthorized", "Wrong username or password.");
    throw err;
  }
}

export const loginAction = publicAction({
  schema: loginSchema,
  redirectTo: "/",
  run: ({ input }) => signInWithPassword(input.username, input.password),
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
    await signInWithPassword(input.username, input.password);
  },
});

export const signOutAction = authedAction({
  schema: emptySchema,
  redirectTo: "/login",
  run: async () => {
    await signOut({ redirect: false });
  },
});
