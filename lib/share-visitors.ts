import "server-only";

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomUUID, timingSafeEqual } from "node:crypto";

import { albumImageIds, albumText, isInAlbum } from "@/lib/albums";
import { limits, requireEnv } from "@/lib/config";
import { AppError, isDuplicateKeyError } from "@/lib/errors";
import type { GalleryItem } from "@/lib/gallery-types";
import { extensionOf } from "@/lib/image-types";
import { listLiveItems, openImageVariant } from "@/lib/images";
import { ownerKey } from "@/lib/owner-keys";
import { verifyPassword } from "@/lib/passwords";
import { type RateLimitRule, clearAttempts, formatWait, isRateLimited, limitKey, reserveAttempt } from "@/lib/rate-limit";
import type { SharedItem, SharedPage, SharedView } from "@/lib/share-types";
import { type EventDoc, type ShareDoc, events, hashToken, openSecret, shares, stripSizes } from "@/lib/shares";
import { canStrip, stripMetadata, strippedSize } from "@/lib/strip-metadata";
import { createZipStream, zipContentLength } from "@/lib/zip";
import { sanitizeZipNames } from "@/lib/zip-names";

/**
 * Share links as visitors meet them. Every visitor request goes through
 * `visit()`: live link, not revoked or expired, the password cookie when
 * there is a password, then, for an item, membership of that album and a
 * live image. The owner's side (creating, listing, revoking) is lib/shares.ts.
 *
 * - Items carry per-share opaque ids: the image's UUID encrypted with
 *   AES-256 (one block, a pseudorandom permutation) under a key derived for
 *   this share. Another share's item id, or a raw image id, decrypts to
 *   nothing in this album: 404.
 * - Unknown, malformed, revoked and expired tokens all take one hash lookup
 *   and answer the same 404; misses are counted per address and, past the
 *   limit, every shared URL of that address answers 429 before any lookup.
 */

/** Misses (unknown, expired, revoked or malformed tokens) one address may make. */
export const SHARE_GUESS_RULE: RateLimitRule = { limit: 50, windowSeconds: 15 * 60 };
/** Wrong passwords for one link from one address. */
export const SHARE_PASSWORD_RULE: RateLimitRule = { limit: 10, windowSeconds: 15 * 60 };

const TOKEN = /^[A-Za-z0-9_-]{32}$/;
const ITEM = /^[A-Za-z0-9_-]{22}$/;
const DAY_MS = 86_400_000;
const ACCESS_DAYS = 7;

export const ACCESS_COOKIE = "share_access";

export type Visitor = {
  token: string;
  /** The access cookie's value, if any. */
  access?: string | null;
  /** The client address, for counting misses. */
  address: string;
};

const guessKey = (address: string) => ({ key: limitKey("share-guess", address), rule: SHARE_GUESS_RULE });

/** The live link for a token, or a 404 (429 once an address has missed too often). One hash lookup, whatever the input. */
async function liveShare({ token, address }: Visitor): Promise<ShareDoc> {
  const key = guessKey(address);
  const wait = await isRateLimited(key);
  if (wait) throw new AppError("rate_limited", `Too many attempts. Try again in ${formatWait(wait)}.`, { retryAfterSeconds: wait });
  const doc = await (await shares()).findOne({ tokenHash: hashToken(token) });
  const now = Date.now();
  if (!TOKEN.test(token) || !doc || doc.revokedAt || (doc.expiresAt && doc.expiresAt.getTime() <= now)) {
    await reserveAttempt({ keys: [key], message: (w) => `Too many attempts. Try again in ${w}.` }).catch((err) => {
      // The miss that fills the window still answers 404; the next request gets 429.
      if (!(err instanceof AppError && err.code === "rate_limited")) throw err;
    });
    throw new AppError("not_found");
  }
  return doc;
}

function accessMac(doc: ShareDoc, expires: number): string {
  return createHmac("sha256", requireEnv("AUTH_SECRET"))
    .update(`share-access\0${doc._id}\0${doc.passwordVersion}\0${expires}`)
    .digest("base64url");
}

function hasAccess(doc: ShareDoc, access: string | null | undefined): boolean {
  if (!doc.passwordHash) return true;
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(access ?? "");
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires <= Date.now()) return false;
  const expected = Buffer.from(accessMac(doc, expires));
  const given = Buffer.from(m[2]);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The link, once the visitor has passed its password (if it has one): the one check behind every shared URL. */
async function visit(visitor: Visitor): Promise<ShareDoc> {
  const doc = await liveShare(visitor);
  if (!hasAccess(doc, visitor.access)) throw new AppError("not_found");
  return doc;
}

export type AccessCookie = { name: string; value: string; path: string; maxAge: number };

/**
 * Checks a link's password. Wrong guesses are limited per link and address;
 * a right one answers the access cookie: signed, for this link and this
 * password only, scoped to the link's path.
 */
export async function unlockShare({ token, address, password }: Omit<Visitor, "access"> & { password: string }): Promise<AccessCookie> {
  const doc = await liveShare({ token, address });
  if (!doc.passwordHash) throw new AppError("invalid_input", "This link has no password.");
  const keys = [{ key: limitKey("share-password", doc._id, address), rule: SHARE_PASSWORD_RULE }];
  const reservation = await reserveAttempt({ keys, message: (w) => `Too many wrong passwords. Try again in ${w}.` });
  if (!(await verifyPassword({ hash: doc.passwordHash, password }))) {
    throw new AppError("invalid_input", "That password is not right.", { fieldErrors: { password: ["That password is not right."] } });
  }
  await reservation.release();
  await clearAttempts({ keys });
  const lifetime = ACCESS_DAYS * DAY_MS;
  const expires = Date.now() + (doc.expiresAt ? Math.min(lifetime, Math.max(0, doc.expiresAt.getTime() - Date.now())) : lifetime);
  return { name: ACCESS_COOKIE, value: `${expires}.${accessMac(doc, expires)}`, path: `/s/${token}`, maxAge: Math.ceil((expires - Date.now()) / 1000) };
}

function itemKey(doc: ShareDoc, root: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", root, Buffer.from(doc._id), Buffer.from("image-vault/share-items/v1"), 32));
}

async function itemCipherKey(doc: ShareDoc): Promise<Buffer> {
  return itemKey(doc, await ownerKey({ ownerId: doc.ownerId, purpose: "shares" }));
}

function encodeItemId(key: Buffer, imageId: string): string {
  const cipher = createCipheriv("aes-256-ecb", key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.from(imageId.replaceAll("-", ""), "hex")), cipher.final()]).toString("base64url");
}

function decodeItemId(key: Buffer, itemId: string): string | null {
  if (!ITEM.test(itemId)) return null;
  const raw = Buffer.from(itemId, "base64url");
  if (raw.length !== 16) return null;
  const decipher = createDecipheriv("aes-256-ecb", key, null).setAutoPadding(false);
  const h = Buffer.concat([decipher.update(raw), decipher.final()]).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** "Hide file names": numbered in album order, with the type's extension. */
function numberedName(position: number, total: number, mime: string): string {
  const digits = Math.max(3, String(total).length);
  return `image-${String(position).padStart(digits, "0")}.${extensionOf(mime)}`;
}

/** What an original becomes in a share: its bytes less metadata, or (types that cannot be stripped) its preview. */
function servedAs(doc: ShareDoc, item: Pick<GalleryItem, "mime" | "name">): { variant: "original" | "preview"; mime: string; strip: boolean } {
  if (doc.includeMeta) return { variant: "original", mime: item.mime, strip: false };
  if (canStrip({ mime: item.mime })) return { variant: "original", mime: item.mime, strip: true };
  return { variant: "preview", mime: "image/webp", strip: false };
}

function publicName(doc: ShareDoc, item: GalleryItem, position: number, total: number): string {
  const mime = servedAs(doc, item).mime;
  if (doc.hideNames) return numberedName(position, total, mime);
  if (mime !== item.mime) return `${item.name.replace(/\.[^.]*$/, "")}.webp`;
  return item.name;
}

async function record(shareId: string, kind: EventDoc["kind"]): Promise<void> {
  await (await events()).insertOne({ _id: randomUUID(), shareId, kind, at: new Date() });
}

/** A visitor's page is the size of the owner's timeline page. */
const PAGE = limits.galleryPageSize;

async function pageOf(doc: ShareDoc, offset: number): Promise<SharedPage> {
  const all = await albumImageIds({ ownerId: doc.ownerId, albumId: doc.albumId });
  const start = Math.min(Math.max(0, offset), all.length);
  const ids = all.slice(start, start + PAGE);
  const items = await listLiveItems({ ownerId: doc.ownerId, imageIds: ids });
  const key = await itemCipherKey(doc);
  const position = new Map(ids.map((id, i) => [id, start + i + 1]));
  return {
    items: items.map(
      (item): SharedItem => ({
        id: encodeItemId(key, item.id),
        name: publicName(doc, item, position.get(item.id) ?? 0, all.length),
        width: item.width,
        height: item.height,
        mime: item.mime,
      }),
    ),
    nextOffset: start + PAGE < all.length ? start + PAGE : null,
    total: all.length,
  };
}

export type ShareEntry = { locked: true } | { locked: false; view: SharedView };

/** The public page: locked (password first) or the first page of images. Counts one view. */
export async function openSharePage(visitor: Visitor): Promise<ShareEntry> {
  const doc = await liveShare(visitor);
  if (!hasAccess(doc, visitor.access)) return { locked: true };
  const text = await albumText({ ownerId: doc.ownerId, albumId: doc.albumId }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") throw new AppError("not_found");
    throw err;
  });
  const { displayName } = await openSecret(doc);
  const page = await pageOf(doc, 0);
  await record(doc._id, "view");
  return {
    locked: false,
    view: {
      title: doc.kind === "album" ? text.title : "",
      description: doc.kind === "album" ? text.description : "",
      displayName,
      allowDownload: doc.allowDownload,
      page,
    },
  };
}

export async function listSharedItems({ offset, ...visitor }: Visitor & { offset: number }): Promise<SharedPage> {
  return pageOf(await visit(visitor), offset);
}

/** One image of the link, checked: the item must decrypt to a live image of this link's album. */
async function sharedImage(doc: ShareDoc, itemId: string): Promise<GalleryItem> {
  const imageId = decodeItemId(await itemCipherKey(doc), itemId);
  if (!imageId || !(await isInAlbum({ ownerId: doc.ownerId, albumId: doc.albumId, imageId }))) throw new AppError("not_found");
  const [item] = await listLiveItems({ ownerId: doc.ownerId, imageIds: [imageId] });
  if (!item) throw new AppError("not_found");
  return item;
}

export type SharedVariant = {
  mime: string;
  name: string;
  size: number;
  body: AsyncGenerator<Buffer>;
};

export async function openSharedVariant({
  itemId,
  variant,
  download = false,
  ...visitor
}: Visitor & { itemId: string; variant: "thumb" | "preview" | "original"; download?: boolean }): Promise<SharedVariant> {
  const doc = await visit(visitor);
  if (variant === "original" && !doc.allowDownload) throw new AppError("not_found");
  const item = await sharedImage(doc, itemId);
  const name = doc.hideNames ? numberedName(1, 1, variant === "original" ? servedAs(doc, item).mime : "image/webp") : item.name;
  if (variant !== "original") {
    const opened = await openImageVariant({ ownerId: doc.ownerId, imageId: item.id, variant });
    return { mime: opened.mime, name, size: opened.size, body: opened.read() };
  }
  const served = servedAs(doc, item);
  const opened = await openImageVariant({ ownerId: doc.ownerId, imageId: item.id, variant: served.variant });
  if (download) await record(doc._id, "download");
  const fileName = doc.hideNames ? name : publicName(doc, item, 1, 1);
  if (!served.strip) return { mime: served.mime, name: fileName, size: opened.size, body: opened.read() };
  const size = await measureStripped(doc.ownerId, item.id, item.mime);
  return { mime: served.mime, name: fileName, size, body: stripMetadata({ mime: served.mime, source: opened.read(), size }) };
}

async function knownStrippedSize(ownerId: string, imageId: string): Promise<number | null> {
  return (await (await stripSizes()).findOne({ _id: imageId, ownerId }))?.size ?? null;
}

/**
 * The stripped length of an original: blobs never change, so it is measured
 * once (a full read) and kept. A zip needs every entry's exact length first.
 */
async function measureStripped(ownerId: string, imageId: string, mime: string): Promise<number> {
  const known = await knownStrippedSize(ownerId, imageId);
  if (known !== null) return known;
  const opened = await openImageVariant({ ownerId, imageId, variant: "original" });
  const size = await strippedSize({ mime, source: opened.read() });
  await (await stripSizes()).insertOne({ _id: imageId, ownerId, size }).catch((err) => {
    if (!isDuplicateKeyError(err)) throw err;
  });
  return size;
}

export type SharedZip = { filename: string; contentLength: number; body: AsyncGenerator<Buffer> };

/** "Download all": every live image of the link, cleaned as for single downloads, as one streamed zip. */
export async function openSharedZip(visitor: Visitor): Promise<SharedZip> {
  const doc = await visit(visitor);
  if (!doc.allowDownload) throw new AppError("not_found");
  const ids = await albumImageIds({ ownerId: doc.ownerId, albumId: doc.albumId });
  const items: GalleryItem[] = [];
  for (let i = 0; i < ids.length; i += 64) items.push(...(await listLiveItems({ ownerId: doc.ownerId, imageIds: ids.slice(i, i + 64) })));
  if (items.length === 0) throw new AppError("not_found");
  const plans = [];
  for (const [i, item] of items.entries()) {
    const served = servedAs(doc, item);
    const size = served.strip
      ? await measureStripped(doc.ownerId, item.id, item.mime)
      : served.variant === "original"
        ? item.size
        : (await openImageVariant({ ownerId: doc.ownerId, imageId: item.id, variant: "preview" })).size;
    plans.push({ item, served, size, name: publicName(doc, item, i + 1, items.length) });
  }
  const names = sanitizeZipNames({ names: plans.map((p) => p.name) });
  const ownerId = doc.ownerId;
  const entries = plans.map((p, i) => ({
    name: names[i],
    size: p.size,
    mtime: new Date(p.item.createdAt),
    open: async function* () {
      const opened = await openImageVariant({ ownerId, imageId: p.item.id, variant: p.served.variant });
      yield* p.served.strip ? stripMetadata({ mime: p.served.mime, source: opened.read(), size: p.size }) : opened.read();
    },
  }));
  await record(doc._id, "download");
  const { title } = await albumText({ ownerId, albumId: doc.albumId });
  const base = doc.kind === "album" && title ? title.replace(/[^\p{L}\p{N} _-]+/gu, "").trim().slice(0, 60) : "";
  return { filename: `${base || "shared-images"}.zip`, contentLength: zipContentLength({ entries }), body: createZipStream({ entries }) };
}
