import "server-only";

import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import type { AnyBulkWriteOperation, Binary, Db } from "mongodb";

import { requireEnv } from "@/lib/config";
import { bulkWriteInBatches } from "@/lib/db";
import { encodeAad, toBuffer } from "@/lib/crypto";
import { AppError, isDuplicateKeyError } from "@/lib/errors";

/**
 * Master keys (KEKs) from IMAGE_KEYS, and wrapping of per-image data keys
 * (DESIGN.md §3). Only wrapped DEKs are ever stored; KEKs live in the
 * environment, so a copy of the database alone opens nothing.
 */

const KEY_SIZE = 32;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const ALGORITHM = "aes-256-gcm";
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
// Standard or URL-safe alphabet, padding optional; Buffer.from alone silently skips bad characters.
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;
const KCV_LABEL = "image-repository key check v1";
const KCV_SIZE = 16;
/**
 * A collection whose documents hold a wrapped DEK as `dek: { kid, nonce, wrapped }`,
 * described by the module that owns it: where its documents keep the image and
 * owner ids the wrapping's AAD binds (lib/key-maintenance lists them all).
 */
export type DekHolder = {
  collection: string;
  /** The fields `context` reads, so a scan fetches only those. */
  fields: readonly string[];
  context: (doc: Record<string, unknown>) => { imageId: unknown; ownerId: unknown };
};

/** What a person sees for data whose key the server does not have (the log names the key id). */
export const MISSING_KEY_MESSAGE = "This image cannot be opened: its encryption key is not configured on this server. The server's owner has been told.";

export type Keyring = {
  /** Wraps every new DEK. */
  primaryKid: string;
  /** All configured keys, primary first; any of them unwraps. */
  keys: ReadonlyMap<string, Buffer>;
};

export type WrappedDek = { kid: string; nonce: Buffer; wrapped: Buffer };

/** A wrapped DEK as read back from MongoDB, where the bytes come back as BSON Binary. */
export type StoredWrappedDek = { kid: string; nonce: Buffer | Uint8Array | Binary; wrapped: Buffer | Uint8Array | Binary };

/**
 * Parses "kid1:base64,kid2:base64,...". Error messages name the entry and,
 * once validated, the kid, but never echo key material (nor an unvalidated
 * kid, which might be a pasted key).
 */
export function parseImageKeys({ raw }: { raw: string }): Keyring {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) throw new Error("IMAGE_KEYS is empty; expected kid:base64(32 bytes)[,kid:base64...]");

  const keys = new Map<string, Buffer>();
  entries.forEach((entry, i) => {
    const where = `IMAGE_KEYS entry ${i + 1}`;
    const colon = entry.indexOf(":");
    if (colon < 0) throw new Error(`${where} is not of the form kid:base64(32 bytes)`);
    const kid = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KID_PATTERN.test(kid)) throw new Error(`${where}: key id must match ${KID_PATTERN.source}`);
    if (keys.has(kid)) throw new Error(`${where}: duplicate key id '${kid}'`);
    if (!BASE64_PATTERN.test(encoded) || encoded.replace(/=+$/, "").length % 4 === 1) {
      throw new Error(`${where} (key id '${kid}'): key is not valid base64`);
    }
    const key = Buffer.from(encoded, encoded.includes("-") || encoded.includes("_") ? "base64url" : "base64");
    if (key.length !== KEY_SIZE) {
      throw new Error(`${where} (key id '${kid}'): key must decode to ${KEY_SIZE} bytes, got ${key.length}`);
    }
    keys.set(kid, key);
  });
  return { primaryKid: keys.keys().next().value as string, keys };
}

let cached: { raw: string; keyring: Keyring } | undefined;

/** The configured keyring, parsed once per value of IMAGE_KEYS (tests and rotation switch it). */
export function getKeyring(): Keyring {
  const raw = requireEnv("IMAGE_KEYS");
  if (cached?.raw !== raw) cached = { raw, keyring: parseImageKeys({ raw }) };
  return cached.keyring;
}

/** AAD for a wrapped DEK: encodeAad(["dek", imageId, ownerId]) — length-prefixed, so it binds the key to exactly this image and owner. */
function dekAad(imageId: string, ownerId: string): Buffer {
  if (!imageId || !ownerId) throw new AppError("invalid_input", "imageId and ownerId are required");
  return encodeAad(["dek", imageId, ownerId]);
}

/** Wraps a DEK under the primary KEK with a fresh random nonce; `wrapped` is ciphertext ‖ tag. */
export function wrapDek({ dek, imageId, ownerId }: { dek: Buffer; imageId: string; ownerId: string }): WrappedDek {
  if (dek.length !== KEY_SIZE) throw new Error(`data key must be ${KEY_SIZE} bytes`);
  const { primaryKid, keys } = getKeyring();
  const kek = keys.get(primaryKid) as Buffer;
  const nonce = randomBytes(NONCE_SIZE);
  const cipher = createCipheriv(ALGORITHM, kek, nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(dekAad(imageId, ownerId));
  const wrapped = Buffer.concat([cipher.update(dek), cipher.final(), cipher.getAuthTag()]);
  return { kid: primaryKid, nonce, wrapped };
}

/** Unwraps a stored DEK. Unknown kid, wrong image/owner or altered bytes all give the same integrity error. */
export function unwrapDek({
  wrappedKey,
  imageId,
  ownerId,
}: {
  wrappedKey: StoredWrappedDek;
  imageId: string;
  ownerId: string;
}): Buffer {
  const aad = dekAad(imageId, ownerId);
  const kek = getKeyring().keys.get(wrappedKey.kid);
  if (!kek) {
    // The operator's clue: which key is missing, never which image (the log may be shared).
    console.error(`[keys] key ${wrappedKey.kid} not configured: add it back to IMAGE_KEYS to open the data it wraps`);
    throw new AppError("integrity", MISSING_KEY_MESSAGE);
  }
  const nonce = toBuffer(wrappedKey.nonce);
  const wrapped = toBuffer(wrappedKey.wrapped);
  if (nonce.length !== NONCE_SIZE || wrapped.length !== KEY_SIZE + TAG_SIZE) throw new AppError("integrity");
  try {
    const decipher = createDecipheriv(ALGORITHM, kek, nonce, { authTagLength: TAG_SIZE });
    decipher.setAAD(aad);
    decipher.setAuthTag(wrapped.subarray(KEY_SIZE));
    return Buffer.concat([decipher.update(wrapped.subarray(0, KEY_SIZE)), decipher.final()]);
  } catch {
    throw new AppError("integrity");
  }
}

function keyCheckValue(key: Buffer): Buffer {
  // An HMAC, not an encryption of a known block: it identifies the key without giving an oracle for it.
  return createHmac("sha256", key).update(KCV_LABEL, "utf8").digest().subarray(0, KCV_SIZE);
}

type KeyCheckDoc = { _id: string; kcv: Buffer | Binary; createdAt: Date };

function sameKcv(stored: Buffer | Binary, expected: Buffer): boolean {
  const bytes = toBuffer(stored);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/**
 * Makes a wrong key fail loudly at start instead of producing integrity
 * errors (or, worse, fresh data under a mistyped key) later. Records a key
 * check value per kid on first sight and compares on every later start. Stored
 * DEKs wrapped under a kid that is no longer configured are reported loudly but
 * do not stop the server: every other image keeps working.
 */
export async function ensureKeyCheck({ db, holders }: { db: Db; holders: readonly DekHolder[] }): Promise<void> {
  const { keys } = getKeyring();
  const checks = db.collection<KeyCheckDoc>("key_checks");

  for (const [kid, key] of keys) {
    const kcv = keyCheckValue(key);
    const mismatch = new Error(`IMAGE_KEYS key '${kid}' does not match the key that encrypted this database`);
    const existing = await checks.findOne({ _id: kid });
    if (existing) {
      if (!sameKcv(existing.kcv, kcv)) throw mismatch;
      continue;
    }
    try {
      await checks.insertOne({ _id: kid, kcv, createdAt: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // Another process recorded this kid at the same moment; its value must agree with ours.
      const raced = await checks.findOne({ _id: kid });
      if (!raced || !sameKcv(raced.kcv, kcv)) throw mismatch;
    }
  }

  const missing = new Set<string>();
  for (const { collection } of holders) {
    const kids: unknown[] = await db.collection(collection).distinct("dek.kid");
    for (const kid of kids) {
      if (typeof kid === "string" && !keys.has(kid)) missing.add(kid);
    }
  }
  if (missing.size > 0) {
    // Not a refusal: the images under other keys must stay reachable while the operator
    // finds the old key. Each affected request fails with a clear 500 and names the key
    // (unwrapDek), and nothing is rewritten meanwhile.
    const list = [...missing].sort().map((kid) => `'${kid}'`).join(", ");
    console.error(
      `[keys] The database holds data keys wrapped under key id(s) ${list}, which IMAGE_KEYS does not configure: ` +
        "those images answer 500 until the old key(s) are added back to IMAGE_KEYS (after the primary); then run `npm run keys:rotate`.",
    );
  }
}

type DekDoc = { _id: unknown; dek: StoredWrappedDek } & Record<string, unknown>;

export type RotateProgress = { collection: string; rewrapped: number };

/**
 * Rewraps every DEK not under the primary kid; content is never re-encrypted.
 * Resumable: each run selects what is still under an old kid, and each update
 * is a compare-and-set on the old kid and wrapped bytes, so a run killed
 * midway (or racing another) leaves every document either old or new, never
 * broken, and rerunning finishes the job. Documents are walked in _id order,
 * so each is visited once per run; a DEK written under an old kid while the
 * run is going (a server still on the old IMAGE_KEYS) waits for the next run.
 */
export async function rotateKeys({
  db,
  holders,
  batchSize = 100,
  onProgress,
}: {
  db: Db;
  holders: readonly DekHolder[];
  batchSize?: number;
  onProgress?: (progress: RotateProgress) => void | Promise<void>;
}): Promise<{ rewrapped: number }> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error("batchSize must be a positive integer");
  const { primaryKid } = getKeyring();
  let rewrapped = 0;

  for (const holder of holders) {
    const name = holder.collection;
    const collection = db.collection<DekDoc>(name);
    const projection = Object.fromEntries(["_id", "dek", ...holder.fields].map((f) => [f, 1]));
    let after: unknown = undefined;
    for (;;) {
      const filter: Record<string, unknown> = { "dek.kid": { $exists: true, $ne: primaryKid } };
      if (after !== undefined) filter._id = { $gt: after };
      const batch = await collection
        .find(filter, { projection })
        .sort({ _id: 1 })
        .limit(batchSize)
        .toArray();
      if (batch.length === 0) break;

      const updates: AnyBulkWriteOperation<DekDoc>[] = [];
      for (const doc of batch) {
        const { imageId, ownerId } = holder.context(doc);
        if (typeof imageId !== "string" || typeof ownerId !== "string") {
          throw new Error(`${name} document ${String(doc._id)} lacks a string imageId/ownerId; cannot rewrap its key`);
        }
        let dek: Buffer;
        try {
          dek = unwrapDek({ wrappedKey: doc.dek, imageId, ownerId });
        } catch {
          // Stop rather than skip: an unreadable key is data loss the operator must hear about.
          throw new Error(`${name} document ${String(doc._id)}: its data key (key id '${doc.dek.kid}') does not unwrap with IMAGE_KEYS`);
        }
        const next = wrapDek({ dek, imageId, ownerId });
        dek.fill(0);
        updates.push({
          updateOne: {
            filter: { _id: doc._id, "dek.kid": doc.dek.kid, "dek.wrapped": toBuffer(doc.dek.wrapped) },
            update: { $set: { dek: next } },
          },
        });
      }
      // One round trip per batch; each update is still its own compare-and-set.
      const result = await bulkWriteInBatches(collection, updates);
      rewrapped += result.modifiedCount;
      after = batch[batch.length - 1]._id;
      await onProgress?.({ collection: name, rewrapped });
    }
  }
  return { rewrapped };
}
