import "server-only";

import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";

import { authConfig } from "@/lib/auth-config";
import { createSession, isSessionLive, revokeSession } from "@/lib/auth-sessions";
import { clientAddress } from "@/lib/client-address";
import { isAppError, isUnavailableError } from "@/lib/errors";
import { verifyPasskeySignIn } from "@/lib/passkeys";
import { type RelyingParty, relyingParty } from "@/lib/relying-party";
import { loginSchema, passkeySignInSchema } from "@/lib/schemas";
import { type SessionUser, authenticate, getUserById } from "@/lib/users";

declare module "next-auth" {
  interface Session {
    user: { id: string; username: string } & DefaultSession["user"];
    /** Set when the session could not be checked because the database is down: answer 503, don't sign out. */
    unavailable?: boolean;
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
    sid?: string;
    username?: string;
    unavailable?: boolean;
  }
}

/** Carries a precise reason (rate limit) through Auth.js to the sign-in action. */
class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/** The client address for rate limits, as TRUST_PROXY says to find it (lib/client-address). */
export async function requestAddress(request?: Request): Promise<string> {
  return clientAddress({ headers: request?.headers ?? (await headers()) });
}

/** This site as passkeys see it (lib/relying-party: WEBAUTHN_ORIGIN, AUTH_URL or the request's host). */
export async function requestRelyingParty(request?: Request): Promise<RelyingParty> {
  return relyingParty({ headers: request?.headers ?? (await headers()) });
}

function toAuthUser(user: SessionUser) {
  return { id: user.id, name: user.name, username: user.username, sessionVersion: user.sessionVersion };
}

/** Codes the sign-in actions turn back into typed errors (app/(auth)/actions.ts). */
function refusal(err: unknown): SignInRefused | null {
  if (!isAppError(err)) return null;
  if (err.code === "rate_limited") return new SignInRefused(`rate_limited:${err.retryAfterSeconds ?? 60}`);
  if (err.code === "passkey_unknown" || err.code === "passkey_failed" || err.code === "passkey_expired") return new SignInRefused(err.code);
  return null;
}

export const {
  handlers: { GET, POST },
  auth,
  signIn,
  signOut,
} = NextAuth({
  ...authConfig,
  // No adapter: sessions are JWTs naming our own server-side records (lib/auth-sessions), and
  // passkeys live in lib/passkeys. Auth.js's Passkey provider needs an adapter and email
  // addresses, and would sign in around those records; see the "passkey" provider below.
  // A wrong password is an expected event: one calm line, not Auth.js's stack trace.
  logger: {
    error(error) {
      if (error.name === "CredentialsSignin" || (error as { type?: string }).type === "CredentialsSignin") return;
      console.error(`[auth] ${error.name}: ${error.message}`);
    },
    warn(code) {
      console.warn(`[auth] warning: ${code}`);
    },
  },
  providers: [
    Credentials({
      credentials: { username: { label: "Username" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const parsed = loginSchema.safeParse(credentials);
        if (!parsed.success) return null;
        try {
          return toAuthUser(await authenticate({ ...parsed.data, ip: await requestAddress(request) }));
        } catch (err) {
          const refused = refusal(err);
          if (refused) throw refused;
          if (isAppError(err) && err.code === "unauthorized") {
            console.info("[auth] sign-in refused: wrong username or password");
            return null;
          }
          throw err;
        }
      },
    }),
    // A passkey sign-in is a second credentials provider: it returns the user like the password
    // does, so the jwt callback below creates the same server-side session record, which
    // sign-out, "Sign out everywhere" and a new password end.
    Credentials({
      id: "passkey",
      name: "Passkey",
      credentials: { response: { label: "Passkey answer" } },
      async authorize(credentials, request) {
        const parsed = passkeySignInSchema.safeParse(credentials);
        if (!parsed.success) throw new SignInRefused("passkey_failed");
        try {
          return toAuthUser(
            await verifyPasskeySignIn({
              response: parsed.data.response,
              ip: await requestAddress(request),
              rp: await requestRelyingParty(request),
            }),
          );
        } catch (err) {
          const refused = refusal(err);
          if (refused) throw refused;
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
        token.sid = await createSession({ userId: user.id });
        return token;
      }
      // Every auth() re-checks the user and this device's session record: a
      // sign-out, "sign out everywhere", a new password or a deleted account
      // ends the session even for a copy of the cookie.
      if (!token.uid || !token.sid) return null;
      try {
        const [current, live] = await Promise.all([
          getUserById({ id: token.uid }),
          isSessionLive({ sessionId: token.sid, userId: token.uid }),
        ]);
        if (!current || current.sessionVersion !== token.sv || !live) return null;
        token.name = current.name;
        delete token.unavailable;
        return token;
      } catch (err) {
        // Unverifiable is not invalid: keep the cookie and let the caller answer 503.
        if (isUnavailableError(err) || (isAppError(err) && err.code === "unavailable")) return { ...token, unavailable: true };
        throw err;
      }
    },
    session({ session, token }) {
      if (token.uid) {
        session.user.id = token.uid;
        session.user.username = token.username ?? "";
        session.user.name = token.name ?? "";
      }
      if (token.unavailable) session.unavailable = true;
      return session;
    },
  },
  events: {
    // Any way of signing out (our action, POST /api/auth/signout) revokes this device's record.
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (sid) await revokeSession({ sessionId: sid });
    },
  },
});
