import "server-only";

import { ObjectId } from "mongodb";

import { revokeAllSessions } from "@/lib/auth-sessions";
import { limits } from "@/lib/config";
import { getDb } from "@/lib/db";
import { deleteAllAlbumsOfOwner } from "@/lib/albums";
import { deleteAllImagesOfOwner } from "@/lib/images";
import { deleteAllUploadsOfOwner } from "@/lib/uploads";
import { AppError, isDuplicateKeyError } from "@/lib/errors";
import { deleteLibrary } from "@/lib/library";
import { deleteOwnerKey } from "@/lib/owner-keys";
import { deleteAllSharesOfOwner } from "@/lib/shares";
import { deleteAllPasskeysOfUser } from "@/lib/passkey-store";
import { deleteUsage } from "@/lib/usage";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/passwords";
import { RULES, clearAttempts, isKnownAddress, limitKey, rememberAddress, reserveAttempt } from "@/lib/rate-limit";

type UserDoc = {
  _id: ObjectId;
  name: string;
  username: string;
  usernameLower: string;
  passwordHash: string;
  sessionVersion: number;
  createdAt: Date;
};

export type SessionUser = { id: string; username: string; name: string; sessionVersion: number };

function toSessionUser(doc: UserDoc): SessionUser {
  return { id: doc._id.toHexString(), username: doc.username, name: doc.name, sessionVersion: doc.sessionVersion };
}

function parseId(id: string): ObjectId | null {
  return ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : null;
}

async function users() {
  return (await getDb()).collection<UserDoc>("users");
}

export async function createUser({
  username,
  displayName,
  password,
}: {
  username: string;
  displayName: string;
  password: string;
}): Promise<SessionUser> {
  const passwordHash = await hashPassword({ password });
  const doc: UserDoc = {
    _id: new ObjectId(),
    name: displayName,
    username,
    usernameLower: username.toLowerCase(),
    passwordHash,
    sessionVersion: 1,
    createdAt: new Date(),
  };
  try {
    await (await users()).insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) {
      throw new AppError("conflict", "That username is taken.", {
        fieldErrors: { username: ["That username is taken."] },
      });
    }
    throw err;
  }
  return toSessionUser(doc);
}

export async function getUserById({ id }: { id: string }): Promise<SessionUser | null> {
  const _id = parseId(id);
  if (!_id) return null;
  const doc = await (await users()).findOne({ _id });
  return doc ? toSessionUser(doc) : null;
}

/**
 * Registration as the server is configured: REGISTRATION=closed still lets the
 * very first account in (the owner setting the server up), and every address
 * may create only a few accounts an hour, so quotas cap what one person stores.
 */
export async function registerUser({
  username,
  displayName,
  password,
  ip,
}: {
  username: string;
  displayName: string;
  password: string;
  ip: string;
}): Promise<SessionUser> {
  const db = await getDb();
  let firstAccountClaim = false;
  if (limits.registration === "closed") {
    const anyone = await (await users()).findOne({}, { projection: { _id: 1 } });
    if (anyone) throw new AppError("registration_closed");
    // Two "first" accounts at once: the unique marker lets exactly one through.
    try {
      await db.collection<{ _id: string; at: Date }>("settings").insertOne({ _id: "first-account", at: new Date() });
      firstAccountClaim = true;
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new AppError("registration_closed");
      throw err;
    }
  }
  const slot = await reserveAttempt({
    keys: [{ key: limitKey("register", ip), rule: { limit: limits.registrationsPerHour, windowSeconds: 3600 } }],
    message: (wait) => `Too many new accounts from your network. Try again in ${wait}.`,
  }).catch(async (err) => {
    if (firstAccountClaim) await db.collection("settings").deleteOne({ _id: "first-account" } as never);
    throw err;
  });
  try {
    return await createUser({ username, displayName, password });
  } catch (err) {
    // A taken username is a typo, not abuse; and a failed first account must not close the door.
    if (firstAccountClaim) await db.collection("settings").deleteOne({ _id: "first-account" } as never);
    if (err instanceof AppError && err.code === "conflict") await slot.release();
    throw err;
  }
}

/**
 * Checks a sign-in attempt. Unknown users and wrong passwords take the same
 * path and give the same answer. The attempt is reserved against the limits
 * before the password is checked (README "Sign-in protection"):
 * - this address guessing this account (tight, and it locks out only this address);
 * - this address over all accounts (password spraying);
 * - all addresses over this account (a slow back-off), which the addresses the
 *   owner signed in from recently skip, so nobody can lock the owner out.
 */
export async function authenticate({
  username,
  password,
  ip,
}: {
  username: string;
  password: string;
  ip: string;
}): Promise<SessionUser> {
  const name = username.toLowerCase();
  const pair = { key: limitKey("signin-pair", name, ip), rule: RULES.pair };
  const keys = [pair];
  const doc = await (await users()).findOne({ usernameLower: name });
  // The account someone registered a moment ago signs in even from a limited address
  // (a busy NAT, say): that sign-in is part of registering, not guessing.
  const justRegistered = doc !== null && Date.now() - doc.createdAt.getTime() < 60_000;
  if (!justRegistered) keys.push({ key: limitKey("signin-address", ip), rule: RULES.address });
  const knownKey = limitKey("known-address", name, ip);
  if (!(await isKnownAddress({ key: knownKey }))) keys.push({ key: limitKey("signin-account", name), rule: RULES.account });

  const slot = await reserveAttempt({ keys, message: (wait) => `Too many sign-in attempts. Try again in ${wait}.` });
  const ok = doc ? await verifyPassword({ hash: doc.passwordHash, password }) : (await burnPasswordCheck({ password }), false);
  if (!doc || !ok) throw new AppError("unauthorized", "Wrong username or password.");
  await slot.release();
  await clearAttempts({ keys: [pair] });
  await rememberAddress({ key: knownKey });
  return toSessionUser(doc);
}

/** The current password, checked under its own limit so it cannot be guessed through the settings page. */
async function requirePassword(userId: string, password: string): Promise<UserDoc> {
  const _id = parseId(userId);
  const doc = _id ? await (await users()).findOne({ _id }) : null;
  if (!doc) throw new AppError("unauthorized");
  const slot = await reserveAttempt({
    keys: [{ key: limitKey("password-check", userId), rule: RULES.passwordCheck }],
    message: (wait) => `Too many wrong passwords. Try again in ${wait}.`,
  });
  if (!(await verifyPassword({ hash: doc.passwordHash, password }))) {
    throw new AppError("invalid_input", "That password is not correct.", {
      fieldErrors: { currentPassword: ["That password is not correct."], password: ["That password is not correct."] },
    });
  }
  await slot.release();
  return doc;
}

/**
 * Re-checks the signed-in user's password before a sensitive change (adding a
 * passkey): a stolen session alone must not be able to add a way in that
 * outlives "Sign out everywhere" and a new password.
 */
export async function confirmPassword({ userId, password }: { userId: string; password: string }): Promise<SessionUser> {
  return toSessionUser(await requirePassword(userId, password));
}

/** Every account has a password today; lib/passkeys still asks before removing a last passkey. */
export async function hasPassword({ userId }: { userId: string }): Promise<boolean> {
  const _id = parseId(userId);
  const doc = _id ? await (await users()).findOne({ _id }, { projection: { passwordHash: 1 } }) : null;
  return Boolean(doc?.passwordHash);
}

/** Changing the password also bumps the session version, so every other cookie stops working. */
export async function changePassword({
  userId,
  currentPassword,
  newPassword,
}: {
  userId: string;
  currentPassword: string;
  newPassword: string;
}): Promise<SessionUser> {
  const doc = await requirePassword(userId, currentPassword);
  const passwordHash = await hashPassword({ password: newPassword });
  const updated = await (await users()).findOneAndUpdate(
    { _id: doc._id },
    { $set: { passwordHash }, $inc: { sessionVersion: 1 } },
    { returnDocument: "after" },
  );
  if (!updated) throw new AppError("unauthorized");
  await revokeAllSessions({ userId: doc._id.toHexString() });
  return toSessionUser(updated);
}

export async function signOutEverywhere({ userId }: { userId: string }): Promise<void> {
  const _id = parseId(userId);
  if (!_id) throw new AppError("unauthorized");
  await (await users()).updateOne({ _id }, { $inc: { sessionVersion: 1 } });
  await revokeAllSessions({ userId });
}

export async function deleteAccount({ userId, password }: { userId: string; password: string }): Promise<void> {
  const doc = await requirePassword(userId, password);
  // Sessions and passkeys first: a half-finished delete must not leave a way in that the owner cannot see.
  await (await users()).updateOne({ _id: doc._id }, { $inc: { sessionVersion: 1 } });
  await revokeAllSessions({ userId });
  await deleteAllPasskeysOfUser({ userId });
  await deleteAllSharesOfOwner({ ownerId: userId });
  await deleteAllUploadsOfOwner({ ownerId: userId });
  await deleteAllImagesOfOwner({ ownerId: userId });
  await deleteAllAlbumsOfOwner({ ownerId: userId });
  await (await users()).deleteOne({ _id: doc._id });
  await deleteUsage({ ownerId: userId });
  await deleteLibrary({ ownerId: userId });
  await deleteOwnerKey({ ownerId: userId });
}
