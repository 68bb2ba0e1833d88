import "server-only";

import { createHash, randomBytes, randomUUID } from "node:crypto";

import type { Binary } from "mongodb";

import { albumImageIds, albumText, createAlbum, deleteAlbum, findAlbum } from "@/lib/albums";
import { openJson, sealJson, toBuffer } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { sensitiveAmong } from "@/lib/image-traits";
import { type Selection } from "@/lib/image-selection";
import { ownerKey } from "@/lib/owner-keys";
import { hashPassword } from "@/lib/passwords";
import type { ExpiryChoice, ShareSummary } from "@/lib/share-types";

/**
 * Share links, their owner's side: create, list, change, revoke. A link names
 * one album (an ad-hoc shared selection is a hidden album); what visitors
 * reach through it, and how each request is checked, is lib/share-visitors.ts.
 *
 * - The token is 192 random bits, base64url; only its SHA-256 is stored (for
 *   the equality lookup), and the link itself is sealed for its owner under
 *   a key derived from the owner's root key, so it can be copied again.
 * - Views and downloads are insert-only event documents (FerretDB loses
 *   concurrent `$inc`s), counted when the owner lists the links.
 */

type Sealed = { nonce: Binary | Buffer; sealed: Binary | Buffer };

export type ShareDoc = {
  _id: string;
  ownerId: string;
  tokenHash: string;
  albumId: string;
  kind: "album" | "selection";
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  passwordHash: string | null;
  /** Changes with every password change: access cookies name it, so old ones stop working. */
  passwordVersion: string;
  allowDownload: boolean;
  includeMeta: boolean;
  hideNames: boolean;
  /** { token, displayName }, sealed for the owner. */
  secret: Sealed;
};

export type EventDoc = { _id: string; shareId: string; kind: "view" | "download"; at: Date };
type StripSizeDoc = { _id: string; ownerId: string; size: number };

const DAY_MS = 86_400_000;

export async function shares() {
  return (await getDb()).collection<ShareDoc>("shares");
}
export async function events() {
  return (await getDb()).collection<EventDoc>("share_events");
}
export async function stripSizes() {
  return (await getDb()).collection<StripSizeDoc>("strip_sizes");
}

// Any input, of any length, is hashed the same way: a malformed token costs what an unknown one does.
export const hashToken = (token: string) => createHash("sha256").update(token.slice(0, 512)).digest("base64url");

/**
 * The images of a scope that analysis flagged sensitive (explicit or
 * suggestive, lib/characteristics.ts): sharing them needs "Share anyway?".
 * The flag lives only inside each image's sealed characteristics.
 */
export async function sensitiveImageIds({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<string[]> {
  return sensitiveAmong({ ownerId, imageIds });
}

export type ExpiryInput = { choice: ExpiryChoice; date?: string };

/** "never", N days from now, or the end (UTC) of a chosen day, which must be in the future. */
export function expiryFrom({ choice, date }: ExpiryInput, now = Date.now()): Date | null {
  if (choice === "never") return null;
  if (choice === "date") {
    const at = date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T23:59:59.999Z`) : NaN;
    if (!Number.isFinite(at) || at <= now) throw new AppError("invalid_input", "Choose a date in the future.", { fieldErrors: { date: ["Choose a date in the future."] } });
    return new Date(at);
  }
  return new Date(now + Number(choice) * DAY_MS);
}

export type ShareOptions = {
  expires: ExpiryInput;
  password?: string | null;
  allowDownload: boolean;
  includeMeta: boolean;
  hideNames: boolean;
  displayName?: string | null;
  /** The owner saw "Share anyway?" for flagged images and confirmed. */
  shareAnyway?: boolean;
};

async function sealSecret(ownerId: string, shareId: string, value: { token: string; displayName: string | null }): Promise<Sealed> {
  return sealJson({ dek: await ownerKey({ ownerId, purpose: "shares" }), imageId: shareId, value });
}

export async function openSecret(doc: ShareDoc): Promise<{ token: string; displayName: string | null }> {
  const dek = await ownerKey({ ownerId: doc.ownerId, purpose: "shares" });
  return openJson({ dek, imageId: doc._id, nonce: toBuffer(doc.secret.nonce), sealed: toBuffer(doc.secret.sealed) }) as {
    token: string;
    displayName: string | null;
  };
}

/**
 * Creates a link to an album, or to a selection (kept as a hidden album).
 * Answers the token once; the owner can read it again from /shares.
 */
export async function createShare({
  ownerId,
  scope,
  options,
}: {
  ownerId: string;
  scope: { albumId: string } | { selection: Selection };
  options: ShareOptions;
}): Promise<{ id: string; token: string }> {
  const expiresAt = expiryFrom(options.expires);
  let albumId: string;
  let kind: ShareDoc["kind"];
  if ("albumId" in scope) {
    await findAlbum({ ownerId, albumId: scope.albumId });
    albumId = scope.albumId;
    kind = "album";
  } else {
    albumId = "";
    kind = "selection";
  }
  const flaggedIn = "albumId" in scope ? await albumImageIds({ ownerId, albumId }) : null;
  if (!options.shareAnyway && flaggedIn && (await sensitiveImageIds({ ownerId, imageIds: flaggedIn })).length > 0) {
    throw new AppError("conflict", "Some of these images are marked sensitive. Share anyway?");
  }
  if (!("albumId" in scope)) {
    const created = await createAlbum({ ownerId, title: "", selection: scope.selection, hidden: true });
    albumId = created.id;
    const ids = await albumImageIds({ ownerId, albumId });
    if (!options.shareAnyway && (await sensitiveImageIds({ ownerId, imageIds: ids })).length > 0) {
      await deleteAlbum({ ownerId, albumId, hidden: true });
      throw new AppError("conflict", "Some of these images are marked sensitive. Share anyway?");
    }
  }
  const id = randomUUID();
  const token = randomBytes(24).toString("base64url");
  await (await shares()).insertOne({
    _id: id,
    ownerId,
    tokenHash: hashToken(token),
    albumId,
    kind,
    createdAt: new Date(),
    expiresAt,
    revokedAt: null,
    passwordHash: options.password ? await hashPassword({ password: options.password }) : null,
    passwordVersion: randomBytes(12).toString("base64url"),
    allowDownload: options.allowDownload,
    includeMeta: options.includeMeta,
    hideNames: options.hideNames,
    secret: await sealSecret(ownerId, id, { token, displayName: options.displayName?.trim() || null }),
  });
  return { id, token };
}

async function findOwnedShare({ ownerId, shareId }: { ownerId: string; shareId: string }): Promise<ShareDoc> {
  if (!/^[0-9a-f-]{36}$/.test(shareId)) throw new AppError("not_found");
  const doc = await (await shares()).findOne({ _id: shareId, ownerId });
  if (!doc) throw new AppError("not_found");
  return doc;
}

async function countEvents(shareId: string): Promise<{ views: number; downloads: number }> {
  let views = 0;
  let downloads = 0;
  for await (const e of (await events()).find({ shareId }, { projection: { kind: 1 } })) {
    if (e.kind === "view") views++;
    else downloads++;
  }
  return { views, downloads };
}

export async function listShares({ ownerId }: { ownerId: string }): Promise<ShareSummary[]> {
  const docs = await (await shares()).find({ ownerId }).toArray();
  docs.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const now = Date.now();
  return Promise.all(
    docs.map(async (doc) => {
      const { token } = await openSecret(doc);
      let scope: string;
      try {
        scope =
          doc.kind === "album"
            ? (await albumText({ ownerId, albumId: doc.albumId })).title || "Untitled album"
            : `${(await albumImageIds({ ownerId, albumId: doc.albumId })).length.toLocaleString("en-US")} images`;
      } catch {
        scope = "Deleted album";
      }
      return {
        id: doc._id,
        scope,
        kind: doc.kind,
        url: `/s/${token}`,
        createdAt: doc.createdAt.toISOString(),
        expiresAt: doc.expiresAt?.toISOString() ?? null,
        revokedAt: doc.revokedAt?.toISOString() ?? null,
        expired: Boolean(doc.expiresAt && doc.expiresAt.getTime() <= now),
        hasPassword: Boolean(doc.passwordHash),
        allowDownload: doc.allowDownload,
        includeMeta: doc.includeMeta,
        hideNames: doc.hideNames,
        ...(await countEvents(doc._id)),
      };
    }),
  );
}

/** New expiry and/or password (`null` removes it). A password change ends every visitor's access cookie. */
export async function updateShare({
  ownerId,
  shareId,
  expires,
  password,
}: {
  ownerId: string;
  shareId: string;
  expires?: ExpiryInput;
  password?: string | null;
}): Promise<void> {
  await findOwnedShare({ ownerId, shareId });
  const set: Partial<ShareDoc> = {};
  if (expires) set.expiresAt = expiryFrom(expires);
  if (password !== undefined) {
    set.passwordHash = password ? await hashPassword({ password }) : null;
    set.passwordVersion = randomBytes(12).toString("base64url");
  }
  await (await shares()).updateOne({ _id: shareId, ownerId }, { $set: set });
}

/** Ends a link at once: every URL derived from it answers 404 from the next request on. */
export async function revokeShare({ ownerId, shareId }: { ownerId: string; shareId: string }): Promise<void> {
  await findOwnedShare({ ownerId, shareId });
  await (await shares()).updateOne({ _id: shareId, ownerId }, { $set: { revokedAt: new Date() } });
}

/** Account deletion: every link of the owner, its events and measured sizes. */
export async function deleteAllSharesOfOwner({ ownerId }: { ownerId: string }): Promise<void> {
  const ids = (await (await shares()).find({ ownerId }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  for (const shareId of ids) await (await events()).deleteMany({ shareId });
  await (await shares()).deleteMany({ ownerId });
  await (await stripSizes()).deleteMany({ ownerId });
}
