"use server";

import { requestRelyingParty, signIn, signOut } from "@/lib/auth";
import { authedAction } from "@/lib/action";
import { beginPasskeyRegistration, finishPasskeyRegistration, removePasskey } from "@/lib/passkeys";
import { addPasskeySchema, beginPasskeySchema, changePasswordSchema, deleteAccountSchema, emptySchema, removePasskeySchema } from "@/lib/schemas";
import { changePassword, deleteAccount, signOutEverywhere } from "@/lib/users";

export const changePasswordAction = authedAction({
  schema: changePasswordSchema,
  // A fresh request, so the page renders with the new cookie rather than the revoked one.
  redirectTo: "/settings?changed=1",
  run: async ({ input, user }) => {
    const updated = await changePassword({
      userId: user.id,
      currentPassword: input.currentPassword,
      newPassword: input.newPassword,
    });
    // The bump revoked this cookie too; a fresh sign-in keeps this device signed in.
    await signIn("credentials", { username: updated.username, password: input.newPassword, redirect: false });
  },
});

export const signOutEverywhereAction = authedAction({
  schema: emptySchema,
  redirectTo: "/login",
  run: async ({ user }) => {
    await signOutEverywhere({ userId: user.id });
    await signOut({ redirect: false });
  },
});

export const deleteAccountAction = authedAction({
  schema: deleteAccountSchema,
  redirectTo: "/login?deleted=1",
  run: async ({ input, user }) => {
    await deleteAccount({ userId: user.id, password: input.password });
    await signOut({ redirect: false });
  },
});

/** Step 1 of "Add a passkey": checks the password and returns the browser's creation options. */
export const passkeyRegistrationOptionsAction = authedAction({
  schema: beginPasskeySchema,
  run: async ({ input, user }) =>
    beginPasskeyRegistration({ userId: user.id, name: input.name, password: input.password, rp: await requestRelyingParty() }),
});

/** Step 2: stores the credential the browser created (components/use-passkeys.ts runs both steps). */
export const addPasskeyAction = authedAction({
  schema: addPasskeySchema,
  revalidate: ["/settings"],
  successMessage: "Passkey added. You can now sign in with it.",
  run: async ({ input, user }) => finishPasskeyRegistration({ userId: user.id, response: input.response, rp: await requestRelyingParty() }),
});

export const removePasskeyAction = authedAction({
  schema: removePasskeySchema,
  revalidate: ["/settings"],
  successMessage: "Passkey removed.",
  run: ({ input, user }) => removePasskey({ userId: user.id, id: input.id }),
});
