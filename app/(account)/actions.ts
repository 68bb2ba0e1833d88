"use server";

import { signIn, signOut } from "@/lib/auth";
import { authedAction } from "@/lib/action";
import { changePasswordSchema, deleteAccountSchema, emptySchema } from "@/lib/schemas";
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
