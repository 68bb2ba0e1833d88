import "server-only";

import { createHmac } from "node:crypto";

import { getDb } from "@/lib/db";
import type { GalleryItem } from "@/lib/gallery-types";
import { findImageRecord, galleryItemsByIds } from "@/lib/images";
import { ownerKey } from "@/lib/owner-keys";
import { listOwnerTraits } from "@/lib/image-traits";
import { groupNearDuplicates } from "@/lib/near-duplicates";

/**
 * Duplicates. Exact: a keyed hash of the plaintext (HMAC-SHA-256 under the
 * owner's "duplicates" key, never a bare SHA-256, which would let anyone with
 * a dump test whether a user holds a known file). Parts arrive in any order
 * and on any instance, so each part gets its own MAC as it streams through
 * (`partMac`), and the file's key is a MAC over the part MACs in order.
 * Near: the 64-bit dHash inside the sealed characteristics, compared here.
 */

type ContentDoc = { _id: string; key: string; imageId: string; ownerId: string };
type PrefsDoc = { _id: string; skipDuplicates: boolean; updatedAt: Date };

/** Bits two perceptual hashes may differ by and still be "the same picture" (resized, recompressed, lightly edited). */
export const NEAR_BITS = 8;

async function contents() {
  return (await getDb()).collection<ContentDoc>("content_hashes");
}

async function prefs() {
  return (await getDb()).collection<PrefsDoc>("upload_preferences");
}

const mac = (key: Buffer, parts: (string | Buffer)[]) => {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, 16).toString("base64url");
};

/** The MAC of one part's plaintext, as it passes through. */
export async function partMac({ ownerId, index, bytes }: { ownerId: string; index: number; bytes: Buffer }): Promise<string> {
  return mac(await ownerKey({ ownerId, purpose: "duplicates" }), [`part\0${index}\0`, bytes]);
}

/** The file's content key from its part MACs, or null when one is missing (a lost receipt: no duplicate check then). */
export async function contentKeyOf({ ownerId, size, partCount, partMacs }: { ownerId: string; size: number; partCount: number; partMacs?: Record<string, string> }): Promise<string | null> {
  const macs = [...Array(partCount).keys()].map((i) => partMacs?.[String(i)]);
  if (macs.some((m) => !m)) return null;
  return mac(await ownerKey({ ownerId, purpose: "duplicates" }), [`file\0${size}\0`, macs.join(".")]);
}

/** Live (not trashed) images of the owner with exactly this content. */
export async function findExactDuplicates({ ownerId, contentKey }: { ownerId: string; contentKey: string }): Promise<string[]> {
  const rows = await (await contents()).find({ key: `${ownerId}:${contentKey}` }).toArray();
  const live: string[] = [];
  for (const row of rows) {
    const doc = await findImageRecord({ ownerId, imageId: row.imageId });
    if (doc && doc.trashedAt === null) live.push(doc._id);
  }
  return live;
}

export async function recordContent({ ownerId, imageId, contentKey }: { ownerId: string; imageId: string; contentKey: string }): Promise<void> {
  const key = `${ownerId}:${contentKey}`;
  await (await contents()).insertOne({ _id: `${key}:${imageId}`, key, imageId, ownerId });
}

export async function getSkipDuplicates({ ownerId }: { ownerId: string }): Promise<boolean> {
  return Boolean((await (await prefs()).findOne({ _id: ownerId }))?.skipDuplicates);
}

export async function setSkipDuplicates({ ownerId, skip }: { ownerId: string; skip: boolean }): Promise<boolean> {
  await (await prefs()).replaceOne({ _id: ownerId }, { skipDuplicates: skip, updatedAt: new Date() }, { upsert: true });
  return skip;
}

export type DuplicateGroup = { items: GalleryItem[]; keep: string };

/**
 * Groups of the owner's live images whose perceptual hashes are within
 * NEAR_BITS of each other (exact copies included), largest groups first.
 * Each group proposes to keep its largest copy (most pixels, then bytes).
 * Linear in the library to read; the grouping compares only hashes that share
 * a nearly equal 16-bit band (lib/near-duplicates.ts), not every pair.
 */
export async function listDuplicateGroups({ ownerId }: { ownerId: string }): Promise<DuplicateGroup[]> {
  const hashes = (await listOwnerTraits({ ownerId })).map((t) => ({ id: t.imageId, phash: t.traits.phash }));
  const out: DuplicateGroup[] = [];
  for (const members of groupNearDuplicates(hashes.map((h) => h.phash), NEAR_BITS)) {
    const items = await galleryItemsByIds({ ownerId, imageIds: members.map((i) => hashes[i].id) });
    if (items.length < 2) continue;
    const keep = [...items].sort((a, b) => b.width * b.height - a.width * a.height || b.size - a.size)[0].id;
    out.push({ items, keep });
  }
  return out.sort((a, b) => b.items.length - a.items.length);
}
