import "server-only";

import { ObjectId } from "mongodb";

import { getDb } from "@/lib/db";
import { deleteAllImagesOfOwner } from "@/lib/images";
import { deleteAllUploadsOfOwner } from "@/lib/uploads";
import { AppError, isDuplicateKeyError } from "@/lib/errors";
import { burnPasswordCheck, hashPassword, verifyPassword } from "@/lib/passwords";
import { LOGIN_RULES, clearFailures, getRetryAfter, recordFailure } from "@/lib/rate-limit";

/** The record shares the `users` collection with @auth/mongodb-adapter, whose shape it extends. */
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
 * Checks a sign-in attempt. Unknown users and wrong passwords take the same
 * path and give the same answer; failures count against both the username and
 * the client address.
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
  const keys = [
    { key: `user:${username.toLowerCase()}`, rule: LOGIN_RULES.username },
    { key: `ip:${ip}`, rule: LOGIN_RULES.ip },
  ];
  const doc = await (await users()).findOne({ usernameLower: username.toLowerCase() });
  // The account someone registered a moment ago signs in even from a limited address
  // (a busy NAT, say): that sign-in is part of registering, not guessing.
  const justRegistered = doc !== null && Date.now() - doc.createdAt.getTime() < 60_000;
  const wait = await getRetryAfter({ keys: justRegistered ? keys.slice(0, 1) : keys });
  if (wait > 0) {
    throw new AppError("rate_limited", `Too many sign-in attempts. Try again in ${formatWait(wait)}.`, {
      retryAfterSeconds: wait,
    });
  }
  const ok = doc ? await verifyPassword({ hash: doc.passwordHash, password }) : (await burnPasswordCheck({ password }), false);
  if (!doc || !ok) {
    await recordFailure({ keys });
    throw new AppError("unauthorized", "Wrong username or password.");
  }
  await clearFailures({ keys: [keys[0].key] });
  return toSessionUser(doc);
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

async function requirePassword(userId: string, password: string): Promise<UserDoc> {
  const _id = parseId(userId);
  const doc = _id ? await (await users()).findOne({ _id }) : null;
  if (!doc) throw new AppError("unauthorized");
  if (!(await verifyPassword({ hash: doc.passwordHash, password }))) {
    throw new AppError("invalid_input", "That password is not correct.", {
      fieldErrors: { currentPassword: ["That password is not correct."], password: ["That password is not correct."] },
    });
  }
  return doc;
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
  return toSessionUser(updated);
}

export async function signOutEverywhere({ userId }: { userId: string }): Promise<void> {
  const _id = parseId(userId);
  if (!_id) throw new AppError("unauthorized");
  await (await users()).updateOne({ _id }, { $inc: { sessionVersion: 1 } });
}

export async function deleteAccount({ userId, password }: { userId: string; password: string }): Promise<void> {
  const doc = await requirePassword(userId, password);
  // Invalidate sessions first: a half-finished delete must not leave a usable login.
  await (await users()).updateOne({ _id: doc._id }, { $inc: { sessionVersion: 1 } });
  await deleteAllUploadsOfOwner({ ownerId: userId });
  await deleteAllImagesOfOwner({ ownerId: userId });
  await (await users()).deleteOne({ _id: doc._id });
  const db = await getDb();
  await db.collection("login_attempts").deleteMany({ _id: `user:${doc.usernameLower}` } as never);
  // Records the Auth.js adapter may hold for this user (OAuth accounts, database sessions).
  await db.collection("accounts").deleteMany({ userId: doc._id });
  await db.collection("sessions").deleteMany({ userId: doc._id });
}
