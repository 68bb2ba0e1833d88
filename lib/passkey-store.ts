import "server-only";

import { Binary } from "mongodb";

import { getDb } from "@/lib/db";
import { AppError, isDuplicateKeyError } from "@/lib/errors";

/**
 * The `passkeys` collection: one record per registered credential. The
 * ceremonies that create and use them are in lib/passkeys; this module only
 * stores, so lib/users can delete an account's passkeys without depending on
 * the ceremonies (which depend on lib/users).
 *
 * The `_id` is the credential ID (base64url), which the authenticator picks
 * and sends back on every sign-in; being the `_id`, it is unique.
 */

export type Transport = "ble" | "cable" | "hybrid" | "internal" | "nfc" | "smart-card" | "usb";

export type PasskeyRecord = {
  _id: string;
  userId: string;
  /** COSE public key, as the authenticator gave it. */
  publicKey: Binary;
  /** The authenticator's signature counter; synced passkeys always report 0. */
  counter: number;
  transports: Transport[];
  name: string;
  /** The WebAuthn user handle (base64url) of the account, the same for all its passkeys. */
  userHandle: string;
  /** Whether the passkey may sync between devices (multiDevice) and is backed up. */
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
};

export type PasskeySummary = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; synced: boolean };

async function passkeys() {
  return (await getDb()).collection<PasskeyRecord>("passkeys");
}

export async function insertPasskey({ record }: { record: PasskeyRecord }): Promise<void> {
  try {
    await (await passkeys()).insertOne(record);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new AppError("conflict", "This passkey is already registered.");
    throw err;
  }
}

export async function findPasskey({ id }: { id: string }): Promise<PasskeyRecord | null> {
  return (await passkeys()).findOne({ _id: id });
}

export async function listPasskeyRecords({ userId }: { userId: string }): Promise<PasskeyRecord[]> {
  return (await passkeys()).find({ userId }).sort({ createdAt: 1, _id: 1 }).toArray();
}

export async function listPasskeys({ userId }: { userId: string }): Promise<PasskeySummary[]> {
  return (await listPasskeyRecords({ userId })).map((r) => ({
    id: r._id,
    name: r.name,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    synced: r.deviceType === "multiDevice",
  }));
}

/** True when this user's passkey was there and is now gone. */
export async function deletePasskeyRecord({ userId, id }: { userId: string; id: string }): Promise<boolean> {
  return (await (await passkeys()).deleteOne({ _id: id, userId })).deletedCount === 1;
}

export async function deleteAllPasskeysOfUser({ userId }: { userId: string }): Promise<number> {
  return (await (await passkeys()).deleteMany({ userId })).deletedCount;
}

/**
 * After a sign-in. Two sign-ins with one passkey at the same instant may both
 * write here and one write may be lost on FerretDB (lib/locks.ts); that only
 * leaves an older counter and time, which the next sign-in corrects.
 */
export async function recordPasskeyUse({ id, counter }: { id: string; counter: number }): Promise<void> {
  await (await passkeys()).updateOne({ _id: id }, { $set: { counter, lastUsedAt: new Date() } });
}
