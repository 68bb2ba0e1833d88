import "server-only";

import { randomBytes } from "node:crypto";

import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { Binary } from "mongodb";

import { getDb } from "@/lib/db";
import { AppError, isAppError, isUnavailableError } from "@/lib/errors";
import { withLock } from "@/lib/locks";
import { deletePasskeyRecord, deleteAllPasskeysOfUser, findPasskey, insertPasskey, listPasskeyRecords, recordPasskeyUse, type Transport } from "@/lib/passkey-store";
import { RULES, limitKey, reserveAttempt } from "@/lib/rate-limit";
import type { RelyingParty } from "@/lib/relying-party";
import { type SessionUser, confirmPassword, getUserById, hasPassword } from "@/lib/users";

/**
 * Passkeys (WebAuthn) beside the password, with @simplewebauthn/server.
 *
 * Every ceremony is two requests: options with a fresh challenge, then the
 * browser's signed answer. Challenges are single-use records with an expiry;
 * using one deletes it, and only the request whose delete removed it may go
 * on, so a replayed answer fails even when sent twice at the same moment.
 * Registration challenges belong to the signed-in user who asked, after their
 * password was checked; sign-in challenges belong to nobody (a passkey names
 * its own account).
 *
 * A passkey sign-in ends in the same Auth.js session as a password sign-in
 * (the "passkey" provider in lib/auth.ts), so sign-out, "Sign out everywhere"
 * and a new password end it the same way.
 */

/** How long a ceremony may take, from options to answer (the browser's own timeout is shorter). */
const CHALLENGE_TTL_MS = 5 * 60_000;
const CEREMONY_TIMEOUT_MS = 3 * 60_000;
/** Enough for every device a person owns; it bounds what one account stores and lists. */
export const MAX_PASSKEYS = 20;

type Purpose = "register" | "sign-in";

type ChallengeDoc = {
  _id: string;
  purpose: Purpose;
  /** The account a registration is for; null for sign-in. */
  userId: string | null;
  /** What the new passkey will be called (registration). */
  name?: string;
  userHandle?: string;
  expiresAt: Date;
};

async function challenges() {
  return (await getDb()).collection<ChallengeDoc>("passkey_challenges");
}

async function saveChallenge({ doc }: { doc: Omit<ChallengeDoc, "expiresAt"> }): Promise<void> {
  await (await challenges()).insertOne({ ...doc, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) });
}

/**
 * Takes a challenge out for one use. The delete is what decides: on FerretDB
 * a read-then-write is not atomic (lib/locks.ts), but of several deletes of
 * one document only one removes it, so only one caller sees deletedCount 1.
 */
async function consumeChallenge({ challenge, purpose, userId }: { challenge: string; purpose: Purpose; userId: string | null }): Promise<ChallengeDoc | null> {
  const coll = await challenges();
  const doc = await coll.findOne({ _id: challenge, purpose, userId });
  if (!doc) return null;
  const { deletedCount } = await coll.deleteOne({ _id: challenge, purpose, userId });
  if (deletedCount !== 1 || doc.expiresAt.getTime() <= Date.now()) return null;
  return doc;
}

/** Expired challenges of abandoned ceremonies; MongoDB's TTL index does this too, FerretDB needs it. */
export async function sweepExpiredChallenges(): Promise<number> {
  return (await (await challenges()).deleteMany({ expiresAt: { $lte: new Date() } })).deletedCount;
}

/**
 * What a failed verification tells the user. @simplewebauthn/server throws
 * plain Errors for answers that do not verify (wrong origin, bad signature,
 * no user verification); their text goes to the log, not to the browser.
 * Database trouble and our own typed errors pass through unchanged.
 */
function verificationFailure(err: unknown, consumed: boolean, what: string): unknown {
  if (isAppError(err) || isUnavailableError(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  console.info(`[passkeys] ${what} refused: ${reason}`);
  return new AppError(consumed ? "passkey_failed" : "passkey_expired");
}

function toBytes(base64url: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(base64url, "base64url"));
}

/** Step 1 of adding a passkey: checks the password, then asks the browser to create a credential. */
export async function beginPasskeyRegistration({
  userId,
  name,
  password,
  rp,
}: {
  userId: string;
  name: string;
  password: string;
  rp: RelyingParty;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await confirmPassword({ userId, password });
  const existing = await listPasskeyRecords({ userId });
  if (existing.length >= MAX_PASSKEYS) {
    throw new AppError("conflict", `An account can have at most ${MAX_PASSKEYS} passkeys. Remove one first.`);
  }
  // One handle per account: an authenticator keeps one passkey per account and site, and
  // replaces it rather than piling up copies. Random, so it says nothing about the account.
  const userHandle = existing[0]?.userHandle ?? randomBytes(32).toString("base64url");
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: user.name,
    userID: toBytes(userHandle),
    attestationType: "none",
    timeout: CEREMONY_TIMEOUT_MS,
    // The browser refuses an authenticator that already holds one of these: no duplicates.
    excludeCredentials: existing.map((p) => ({ id: p._id, transports: p.transports })),
    // A passkey is the whole sign-in (no username, no password), so it must be discoverable
    // and verify its user (PIN, fingerprint, face).
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await saveChallenge({ doc: { _id: options.challenge, purpose: "register", userId, name, userHandle } });
  return options;
}

/** Step 2: verifies the browser's new credential and stores it under the name given in step 1. */
export async function finishPasskeyRegistration({
  userId,
  response,
  rp,
}: {
  userId: string;
  response: RegistrationResponseJSON;
  rp: RelyingParty;
}): Promise<{ id: string; name: string }> {
  const used: { doc?: ChallengeDoc } = {};
  let info;
  try {
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: async (challenge) => Boolean((used.doc = (await consumeChallenge({ challenge, purpose: "register", userId })) ?? undefined)),
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
    if (!verification.verified) throw new Error("registration not verified");
    info = verification.registrationInfo;
  } catch (err) {
    throw verificationFailure(err, Boolean(used.doc), "registration");
  }
  const challenge = used.doc!;
  const { credential } = info;
  const name = challenge.name ?? "Passkey";
  await insertPasskey({
    record: {
      _id: credential.id,
      userId,
      publicKey: new Binary(Buffer.from(credential.publicKey)),
      counter: credential.counter,
      transports: (credential.transports ?? []) as Transport[],
      name,
      userHandle: challenge.userHandle ?? "",
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: new Date(),
      lastUsedAt: null,
    },
  });
  return { id: credential.id, name };
}

/** Step 1 of a passkey sign-in: a challenge for any of this site's passkeys (the browser offers them). */
export async function beginPasskeySignIn({ ip, rp }: { ip: string; rp: RelyingParty }): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // Signed out, anyone can ask; each answer is a database write, so an address gets only so many.
  await reserveAttempt({
    keys: [{ key: limitKey("passkey-challenge", ip), rule: RULES.passkeyChallenge }],
    message: (wait) => `Too many passkey sign-ins from your network. Try again in ${wait}.`,
  });
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: "required", timeout: CEREMONY_TIMEOUT_MS });
  await saveChallenge({ doc: { _id: options.challenge, purpose: "sign-in", userId: null } });
  return options;
}

/**
 * Step 2: the account whose passkey signed the challenge. Failures count
 * against the address before anything is checked (as for passwords, README
 * "Sign-in protection"); a success gives its slot back.
 */
export async function verifyPasskeySignIn({
  response,
  ip,
  rp,
}: {
  response: AuthenticationResponseJSON;
  ip: string;
  rp: RelyingParty;
}): Promise<SessionUser> {
  const slot = await reserveAttempt({
    keys: [{ key: limitKey("passkey-signin", ip), rule: RULES.passkeySignIn }],
    message: (wait) => `Too many sign-in attempts. Try again in ${wait}.`,
  });
  const record = await findPasskey({ id: response.id });
  if (!record) {
    console.info("[passkeys] sign-in refused: unknown passkey");
    throw new AppError("passkey_unknown");
  }
  const user = await getUserById({ id: record.userId });
  if (!user) {
    // An account deleted halfway: its passkeys go too.
    await deleteAllPasskeysOfUser({ userId: record.userId });
    console.info("[passkeys] sign-in refused: passkey of a deleted account");
    throw new AppError("passkey_unknown");
  }
  const used: { doc?: ChallengeDoc } = {};
  try {
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: async (challenge) => Boolean((used.doc = (await consumeChallenge({ challenge, purpose: "sign-in", userId: null })) ?? undefined)),
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: { id: record._id, publicKey: new Uint8Array(record.publicKey.buffer), counter: record.counter, transports: record.transports },
      requireUserVerification: true,
    });
    if (!verification.verified) throw new Error("assertion not verified");
    // The handle the authenticator stored must be the one this account registered with.
    if (response.response.userHandle !== undefined && response.response.userHandle !== record.userHandle) {
      throw new Error("user handle does not match the passkey's account");
    }
    await recordPasskeyUse({ id: record._id, counter: verification.authenticationInfo.newCounter });
  } catch (err) {
    throw verificationFailure(err, Boolean(used.doc), "sign-in");
  }
  await slot.release();
  return user;
}

/**
 * Removes one of the user's passkeys. An account must keep a way in: the last
 * passkey goes only if the account has a password (every account has one
 * today). Under a per-user lock, so two removals at once cannot both see
 * "one more left" and leave none.
 */
export async function removePasskey({ userId, id }: { userId: string; id: string }): Promise<void> {
  await withLock({ name: `passkeys:${userId}` }, async () => {
    const mine = await listPasskeyRecords({ userId });
    if (!mine.some((p) => p._id === id)) throw new AppError("not_found", "That passkey is already gone.");
    if (mine.length === 1 && !(await hasPassword({ userId }))) throw new AppError("last_sign_in_method");
    await deletePasskeyRecord({ userId, id });
  });
}
