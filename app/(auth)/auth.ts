import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { MongoDBAdapter } from "@auth/mongodb-adapter";

import { authConfig } from "@/app/(auth)/auth.config";
import { getConnectedClient } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { loginSchema } from "@/lib/schemas";
import { authenticate, getUserById } from "@/lib/users";

declare module "next-auth" {
  interface Session {
    user: { id: string; username: string } & DefaultSession["user"];
  }
  interface User {
    username?: string;
    sessionVersion?: number;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    uid?: string;
    sv?: number;
    username?: string;
  }
}

/** Carries a precise reason (rate limit) through Auth.js to the sign-in action. */
class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/** The client address, from the platform's forwarding header when behind one (Vercel sets it). */
export async function clientIp(request?: Request): Promise<string> {
  const h = request?.headers ?? (await headers());
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || h.get("x-real-ip") || "local";
}

export const {
  handlers: { GET, POST },
  auth,
  signIn,
  signOut,
} = NextAuth({
  ...authConfig,
  // Credentials sessions are JWTs (Auth.js requires it); the adapter serves any OAuth provider added later.
  adapter: MongoDBAdapter(getConnectedClient),
  providers: [
    Credentials({
      credentials: { username: { label: "Username" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const parsed = loginSchema.safeParse(credentials);
        if (!parsed.success) return null;
        try {
          const user = await authenticate({ ...parsed.data, ip: await clientIp(request) });
          return { id: user.id, name: user.name, username: user.username, sessionVersion: user.sessionVersion };
        } catch (err) {
          if (isAppError(err) && err.code === "rate_limited") {
            throw new SignInRefused(`rate_limited:${err.retryAfterSeconds ?? 60}`);
          }
          if (isAppError(err) && err.code === "unauthorized") return null;
          throw err;
        }
      },
    }),
  ],
  callbacks: {
    ...authConfig.callbacks,
    async jwt({ token, user }) {
      if (user?.id) {
        token.uid = user.id;
        token.sv = user.sessionVersion;
        token.username = user.username;
        return token;
      }
      // Every auth() re-reads the user: a bumped session version (sign out
      // everywhere, new password, deleted account) ends this session.
      if (!token.uid) return null;
      const current = await getUserById({ id: token.uid });
      if (!current || current.sessionVersion !== token.sv) return null;
      token.name = current.name;
      return token;
    },
    session({ session, token }) {
      if (token.uid) {
        session.user.id = token.uid;
        session.user.username = token.username ?? "";
        session.user.name = token.name ?? "";
      }
      return session;
    },
  },
});
