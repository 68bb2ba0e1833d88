import "server-only";

import { hkdfSync, randomBytes } from "node:crypto";

import { getDb } from "@/lib/db";
import { isDuplicateKeyError } from "@/lib/errors";
import { type DekHolder, type StoredWrappedDek, unwrapDek, wrapDek } from "@/lib/keys";

/**
 * One random root key per owner, stored wrapped under the master key exactly
 * like an image's data key (so `npm run keys:rotate` rewraps it too), from
 * which keys for owner-wide secrets are derived with HKDF: the sealed library
 * summary, page cursors, and later the search index.
 */

/** The wrapped key's AAD names this pseudo image id; real image ids are UUIDs, so they can never collide. */
const ROOT_ID = "owner-root-key";

type OwnerKeyDoc = { _id: string; imageId: typeof ROOT_ID; ownerId: string; dek: StoredWrappedDek; createdAt: Date };

/** Where owner root keys are kept wrapped, for the key check and rotation (lib/key-maintenance). */
export const ownerKeyDekHolder: DekHolder = {
  collection: "owner_keys",
  fields: ["imageId", "ownerId"],
  context: (doc) => ({ imageId: doc.imageId, ownerId: doc.ownerId }),
};

export type OwnerKeyPurpose = "library" | "cursor" | "search" | "albums" | "shares" | "duplicates";

// Unwrapping is cheap but not free; a page request needs the key several times.
const cache = new Map<string, Buffer>();
const CACHE_MAX = 1000;

async function ownerKeys() {
  return (await getDb()).collection<OwnerKeyDoc>("owner_keys");
}

async function rootKey(ownerId: string): Promise<Buffer> {
  const hit = cache.get(ownerId);
  if (hit) return hit;
  const coll = await ownerKeys();
  let doc = await coll.findOne({ _id: ownerId });
  if (!doc) {
    const fresh: OwnerKeyDoc = {
      _id: ownerId,
      imageId: ROOT_ID,
      ownerId,
      dek: wrapDek({ dek: randomBytes(32), imageId: ROOT_ID, ownerId }),
      createdAt: new Date(),
    };
    try {
      await coll.insertOne(fresh);
      doc = fresh;
    } catch (err) {
      // Two first requests at once: the one stored wins, everyone uses it.
      if (!isDuplicateKeyError(err)) throw err;
      doc = await coll.findOne({ _id: ownerId });
      if (!doc) throw err;
    }
  }
  const key = unwrapDek({ wrappedKey: doc.dek, imageId: ROOT_ID, ownerId });
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(ownerId, key);
  return key;
}

/** A 256-bit key for one purpose of one owner. */
export async function ownerKey({ ownerId, purpose }: { ownerId: string; purpose: OwnerKeyPurpose }): Promise<Buffer> {
  const root = await rootKey(ownerId);
  return Buffer.from(hkdfSync("sha256", root, Buffer.from(ownerId), Buffer.from(`image-vault/${purpose}/v1`), 32));
}

export async function deleteOwnerKey({ ownerId }: { ownerId: string }): Promise<void> {
  cache.delete(ownerId);
  await (await ownerKeys()).deleteOne({ _id: ownerId });
}
