import type { NextAuthConfig } from "next-auth";

/**
 * The part of the Auth.js setup that needs no database, shared with proxy.ts.
 * The proxy only redirects optimistically; pages, actions and routes check the
 * session themselves through auth().
 */
export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt" },
  providers: [],
  callbacks: {
    authorized({ auth, request }) {
      const path = request.nextUrl.pathname;
      // The sign-in pages decide for themselves: a cookie that looks valid here may
      // already be revoked, and bouncing it back to "/" would loop.
      if (path === "/login" || path === "/register") return true;
      return Boolean(auth?.user);
    },
  },
} satisfies NextAuthConfig;
