import type { NextAuthConfig } from "next-auth";

/**
 * The part of the Auth.js setup that needs no database, shared with proxy.ts
 * (so no "server-only" and no database imports here). The proxy only
 * redirects optimistically and slides the cookie's expiry; pages, actions and
 * routes check the session themselves through auth() in lib/auth.ts.
 */

/** A device that makes no request for this long is signed out (cookie and server record alike). */
export const SESSION_IDLE_SECONDS = 7 * 86_400;

export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: SESSION_IDLE_SECONDS, updateAge: 60 * 60 },
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
