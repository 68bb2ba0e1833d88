import "server-only";

import { randomUUID } from "node:crypto";

import type { Binary } from "mongodb";

import { openJson, sealJson, toBuffer } from "@/lib/crypto";
import { limits } from "@/lib/config";
import { bulkWriteInBatches, getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { GalleryPage } from "@/lib/gallery-types";
import { trashedImageIds } from "@/lib/image-listing";
import { listLiveItems } from "@/lib/images";
import { type Selection, resolveSelection } from "@/lib/image-selection";
import { ownerKey } from "@/lib/owner-keys";

/**
 * Albums: a sealed title and description, and one membership document per
 * image. FerretDB pushes down only top-level equality, so an album's images
 * are one equality query on `albumId`; an album's title is sealed under a key
 * derived from the owner's root key, like the library summary.
 *
 * Trash never rewrites memberships: a trashed image is hidden at read time
 * (lib/image-listing trashedImageIds) and shows again when restored. An image
 * deleted forever leaves a dangling membership that the next read removes.
 *
 * Ad-hoc shares of a selection use a hidden album for their set of images,
 * so a share always names exactly one album.
 */

type Sealed = { nonce: Binary | Buffer; sealed: Binary | Buffer };

export type AlbumDoc = {
  _id: string;
  ownerId: string;
  createdAt: Date;
  /** An ad-hoc share's set: not listed on /albums. */
  hidden: boolean;
  text: Sealed;
};

type MemberDoc = { _id: string; albumId: string; ownerId: string; imageId: string; seq: number };

export type AlbumText = { title: string; description: string };
export type AlbumSummary = AlbumText & { id: string; count: number; coverId: string | null; createdAt: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function albums() {
  return (await getDb()).collection<AlbumDoc>("albums");
}

async function members() {
  return (await getDb()).collection<MemberDoc>("album_items");
}

async function sealText({ ownerId, albumId, text }: { ownerId: string; albumId: string; text: AlbumText }): Promise<Sealed> {
  return sealJson({ dek: await ownerKey({ ownerId, purpose: "albums" }), imageId: albumId, value: text });
}

async function openText(doc: AlbumDoc): Promise<AlbumText> {
  const dek = await ownerKey({ ownerId: doc.ownerId, purpose: "albums" });
  return openJson({ dek, imageId: doc._id, nonce: toBuffer(doc.text.nonce), sealed: toBuffer(doc.text.sealed) }) as AlbumText;
}

/** An owner's album, or not_found for anything else (foreign, missing, malformed, or hidden unless asked for). */
export async function findAlbum({ ownerId, albumId, hidden = false }: { ownerId: string; albumId: string; hidden?: boolean }): Promise<AlbumDoc> {
  if (!UUID.test(albumId)) throw new AppError("not_found");
  const doc = await (await albums()).findOne({ _id: albumId, ownerId });
  if (!doc || (doc.hidden && !hidden)) throw new AppError("not_found");
  return doc;
}

/** Membership documents are keyed album:image, so adding twice is a no-op and lookups are by `_id`. */
const memberId = (albumId: string, imageId: string) => `${albumId}:${imageId}`;

async function addMembers({ ownerId, albumId, imageIds }: { ownerId: string; albumId: string; imageIds: string[] }): Promise<number> {
  if (imageIds.length === 0) return 0;
  // Newest addition first; within one addition, the order given (the timeline's, newest first).
  const base = Date.now() * 1000 + imageIds.length;
  const res = await bulkWriteInBatches(
    await members(),
    imageIds.map((imageId, i) => ({
      updateOne: {
        filter: { _id: memberId(albumId, imageId) },
        update: { $setOnInsert: { albumId, ownerId, imageId, seq: base - i } },
        upsert: true,
      },
    })),
  );
  return res.upsertedCount;
}

export async function createAlbum({
  ownerId,
  title,
  description = "",
  selection,
  hidden = false,
}: {
  ownerId: string;
  title: string;
  description?: string;
  /** Images to start with. */
  selection?: Selection;
  hidden?: boolean;
}): Promise<{ id: string; added: number }> {
  const id = randomUUID();
  const imageIds = selection ? await resolveSelection({ ownerId, selection }) : [];
  if (selection && imageIds.length === 0) throw new AppError("not_found", "None of the selected images exist any more.");
  await (await albums()).insertOne({
    _id: id,
    ownerId,
    createdAt: new Date(),
    hidden,
    text: await sealText({ ownerId, albumId: id, text: { title, description } }),
  });
  const added = await addMembers({ ownerId, albumId: id, imageIds });
  return { id, added };
}

export async function addToAlbum({ ownerId, albumId, selection }: { ownerId: string; albumId: string; selection: Selection }): Promise<{ added: number }> {
  await findAlbum({ ownerId, albumId });
  const imageIds = await resolveSelection({ ownerId, selection });
  if (imageIds.length === 0) throw new AppError("not_found", "None of the selected images exist any more.");
  return { added: await addMembers({ ownerId, albumId, imageIds }) };
}

/** Ordered members, newest addition first, less the owner's trash. */
async function liveMembers({ ownerId, albumId }: { ownerId: string; albumId: string }): Promise<MemberDoc[]> {
  const [docs, trashed] = await Promise.all([
    (await members()).find({ albumId }).toArray(),
    trashedImageIds({ ownerId }),
  ]);
  return docs
    .filter((m) => m.ownerId === ownerId && !trashed.has(m.imageId))
    .sort((a, b) => b.seq - a.seq || (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0));
}

/** "Remove from album": memberships only; the images stay in the library. */
export async function removeFromAlbum({
  ownerId,
  albumId,
  selection,
}: {
  ownerId: string;
  albumId: string;
  selection: Selection;
}): Promise<{ removed: number }> {
  await findAlbum({ ownerId, albumId });
  let ids: string[];
  if ("ids" in selection) ids = selection.ids;
  else if ("all" in selection) {
    const except = new Set(selection.except ?? []);
    ids = (await liveMembers({ ownerId, albumId })).map((m) => m.imageId).filter((id) => !except.has(id));
  } else ids = [];
  if (ids.length === 0) return { removed: 0 };
  const res = await bulkWriteInBatches(
    await members(),
    ids.map((imageId) => ({ deleteOne: { filter: { _id: memberId(albumId, imageId), ownerId } } })),
  );
  return { removed: res.deletedCount };
}

export async function renameAlbum({ ownerId, albumId, title, description = "" }: { ownerId: string; albumId: string } & Partial<AlbumText> & { title: string }) {
  await findAlbum({ ownerId, albumId });
  await (await albums()).updateOne({ _id: albumId, ownerId }, { $set: { text: await sealText({ ownerId, albumId, text: { title, description } }) } });
}

/** Deletes the album and its memberships, never an image. Shares of it stop working (their album is gone). */
export async function deleteAlbum({ ownerId, albumId, hidden = false }: { ownerId: string; albumId: string; hidden?: boolean }): Promise<void> {
  await findAlbum({ ownerId, albumId, hidden });
  await (await albums()).deleteOne({ _id: albumId, ownerId });
  await (await members()).deleteMany({ albumId, ownerId });
}

export async function getAlbum({ ownerId, albumId }: { ownerId: string; albumId: string }): Promise<AlbumText & { id: string }> {
  const doc = await findAlbum({ ownerId, albumId });
  return { id: doc._id, ...(await openText(doc)) };
}

/** Title and description of any of the owner's albums, hidden ones included (share pages). */
export async function albumText({ ownerId, albumId }: { ownerId: string; albumId: string }): Promise<AlbumText> {
  return openText(await findAlbum({ ownerId, albumId, hidden: true }));
}

/** The owner's albums, newest first, with their live counts and a cover (the newest addition that is still there). */
export async function listAlbums({ ownerId }: { ownerId: string }): Promise<AlbumSummary[]> {
  const docs = (await (await albums()).find({ ownerId }).toArray()).filter((d) => !d.hidden);
  docs.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const trashed = docs.length ? await trashedImageIds({ ownerId }) : new Set<string>();
  const coll = await members();
  return Promise.all(
    docs.map(async (doc) => {
      const live = (await coll.find({ albumId: doc._id }).toArray())
        .filter((m) => m.ownerId === ownerId && !trashed.has(m.imageId))
        .sort((a, b) => b.seq - a.seq);
      let coverId: string | null = null;
      for (let i = 0; i < live.length && !coverId; i += 8) {
        const found = await listLiveItems({ ownerId, imageIds: live.slice(i, i + 8).map((m) => m.imageId) });
        coverId = found[0]?.id ?? null;
      }
      return { id: doc._id, ...(await openText(doc)), count: live.length, coverId, createdAt: doc.createdAt.toISOString() };
    }),
  );
}

const CURSOR = /^(\d{1,17}):([0-9a-f-]{36})$/;

/**
 * A page of an album, newest addition first. The cursor is the last member
 * shown (its order number and id): additions and removals between pages
 * neither repeat nor skip anything already listed.
 */
export async function listAlbumImages({
  ownerId,
  albumId,
  cursor,
  limit = limits.galleryPageSize,
  hidden = false,
}: {
  ownerId: string;
  albumId: string;
  cursor?: string | null;
  limit?: number;
  hidden?: boolean;
}): Promise<GalleryPage> {
  await findAlbum({ ownerId, albumId, hidden });
  const live = await liveMembers({ ownerId, albumId });
  let start = 0;
  if (cursor) {
    const m = CURSOR.exec(cursor);
    if (!m) throw new AppError("invalid_input");
    const seq = Number(m[1]);
    const id = m[2];
    start = live.findIndex((x) => x.seq < seq || (x.seq === seq && x.imageId > id));
    if (start < 0) start = live.length;
  }
  const items: GalleryPage["items"] = [];
  let total = live.length;
  let at = start;
  let last: MemberDoc | null = null;
  while (items.length < limit && at < live.length) {
    const slice = live.slice(at, at + (limit - items.length));
    const found = await listLiveItems({ ownerId, imageIds: slice.map((m) => m.imageId) });
    const present = new Set(found.map((f) => f.id));
    const dangling = slice.filter((m) => !present.has(m.imageId));
    if (dangling.length) {
      // Deleted forever since it was added: forget the membership now.
      total -= dangling.length;
      await bulkWriteInBatches(await members(), dangling.map((m) => ({ deleteOne: { filter: { _id: m._id, ownerId } } })));
    }
    items.push(...found);
    at += slice.length;
    last = slice[slice.length - 1];
  }
  const more = at < live.length;
  return { items, nextCursor: more && last ? `${last.seq}:${last.imageId}` : null, total };
}

/** Whether a live image is in the album (share checks): one `_id` lookup. */
export async function isInAlbum({ ownerId, albumId, imageId }: { ownerId: string; albumId: string; imageId: string }): Promise<boolean> {
  if (!UUID.test(imageId)) return false;
  return Boolean(await (await members()).findOne({ _id: memberId(albumId, imageId), ownerId }));
}

/** Every live image id of an album, in album order (share zips). */
export async function albumImageIds({ ownerId, albumId }: { ownerId: string; albumId: string }): Promise<string[]> {
  return (await liveMembers({ ownerId, albumId })).map((m) => m.imageId);
}

export async function deleteAllAlbumsOfOwner({ ownerId }: { ownerId: string }): Promise<void> {
  await (await albums()).deleteMany({ ownerId });
  await (await members()).deleteMany({ ownerId });
}
