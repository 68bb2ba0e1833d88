import "server-only";

import { randomBytes } from "node:crypto";

import { SESSION_IDLE_SECONDS } from "@/lib/auth-config";
import { getDb } from "@/lib/db";

/**
 * Server-side records of signed-in devices. The session cookie is a JWT that
 * names one of these; signing out deletes the record, so a copy of the cookie
 * saved earlier stops working at once, while the user's other devices, each
 * with its own record, stay signed in.
 */

/** Activity extends the session, but at most one write per this interval. */
const SLIDE_EVERY_MS = 60 * 60_000;

type SessionDoc = { _id: string; userId: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date };

async function sessions() {
  return (await getDb()).collection<SessionDoc>("auth_sessions");
}

export async function createSession({ userId }: { userId: string }): Promise<string> {
  const now = new Date();
  const _id = randomBytes(18).toString("base64url");
  await (await sessions()).insertOne({
    _id,
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_SECONDS * 1000),
  });
  return _id;
}

/** True while the session exists, belongs to `userId` and has not idled out; slides its expiry. */
export async function isSessionLive({ sessionId, userId }: { sessionId: string; userId: string }): Promise<boolean> {
  const coll = await sessions();
  const doc = await coll.findOne({ _id: sessionId });
  const now = Date.now();
  if (!doc || doc.userId !== userId || doc.expiresAt.getTime() <= now) return false;
  if (now - doc.lastSeenAt.getTime() > SLIDE_EVERY_MS) {
    await coll.updateOne({ _id: sessionId }, { $set: { lastSeenAt: new Date(now), expiresAt: new Date(now + SESSION_IDLE_SECONDS * 1000) } });
  }
  return true;
}

export async function revokeSession({ sessionId }: { sessionId: string }): Promise<void> {
  await (await sessions()).deleteOne({ _id: sessionId });
}

/** Every device of a user: sign out everywhere, a new password, a deleted account. */
export async function revokeAllSessions({ userId }: { userId: string }): Promise<void> {
  await (await sessions()).deleteMany({ userId });
}

export async function sweepExpiredSessions(): Promise<number> {
  return (await (await sessions()).deleteMany({ expiresAt: { $lte: new Date() } })).deletedCount;
}
