import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { addToAlbum, createAlbum, deleteAlbum, getAlbum, listAlbumImages, listAlbums, removeFromAlbum, renameAlbum } from "@/lib/albums";
import { getDb } from "@/lib/db";
import { getImage } from "@/lib/images";
import { restoreImages, trashImages, deleteTrashedForever } from "@/lib/image-selection";
import { makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");

async function images(ownerId: string, n: number) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = await makePng({ width: 20 + i, height: 20, colors: [`#${(i * 40).toString(16).padStart(2, "0")}8800`] });
    out.push((await uploadBytes({ ownerId, name: `img-${i}.png`, bytes })).id);
  }
  return out;
}

describe("albums", () => {
  it("lists albums with a cover and a count; titles are sealed in the database", async () => {
    const alice = owner();
    const [a, b, c] = await images(alice, 3);
    const { id } = await createAlbum({ ownerId: alice, title: "Holiday in Lisbon", description: "Tram 28", selection: { ids: [a, b] } });
    expect(await addToAlbum({ ownerId: alice, albumId: id, selection: { ids: [b, c] } })).toEqual({ added: 1 });
    const [listed] = await listAlbums({ ownerId: alice });
    expect(listed).toMatchObject({ id, title: "Holiday in Lisbon", description: "Tram 28", count: 3 });
    expect([a, b, c]).toContain(listed.coverId);
    const raw = JSON.stringify(await (await getDb()).collection("albums").findOne({ _id: id as never }));
    expect(raw).not.toContain("Lisbon");
    expect(raw).not.toContain("Tram");
    await renameAlbum({ ownerId: alice, albumId: id, title: "Porto" });
    expect((await getAlbum({ ownerId: alice, albumId: id })).title).toBe("Porto");
  });

  it("pages an album with a cursor, newest addition first, without repeats", async () => {
    const alice = owner();
    const ids = await images(alice, 5);
    const { id } = await createAlbum({ ownerId: alice, title: "All", selection: { ids } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listAlbumImages>> = await listAlbumImages({ ownerId: alice, albumId: id, cursor, limit: 2 });
      expect(page.total).toBe(5);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it("hides trashed images and shows them again on restore; Remove from album never deletes", async () => {
    const alice = owner();
    const [a, b, c] = await images(alice, 3);
    const { id } = await createAlbum({ ownerId: alice, title: "T", selection: { ids: [a, b, c] } });
    await trashImages({ ownerId: alice, selection: { ids: [b] } });
    let page = await listAlbumImages({ ownerId: alice, albumId: id });
    expect(page.items.map((i) => i.id)).toEqual([a, c]);
    expect(page.total).toBe(2);
    expect((await listAlbums({ ownerId: alice }))[0].count).toBe(2);
    await restoreImages({ ownerId: alice, selection: { ids: [b] } });
    page = await listAlbumImages({ ownerId: alice, albumId: id });
    expect(page.items.map((i) => i.id)).toEqual([a, b, c]);

    expect(await removeFromAlbum({ ownerId: alice, albumId: id, selection: { ids: [a] } })).toEqual({ removed: 1 });
    expect((await getImage({ ownerId: alice, imageId: a })).id).toBe(a);
    expect((await listAlbumImages({ ownerId: alice, albumId: id })).items.map((i) => i.id)).toEqual([b, c]);

    // Deleted forever: the membership goes on the next read.
    await trashImages({ ownerId: alice, selection: { ids: [c] } });
    await deleteTrashedForever({ ownerId: alice, selection: { ids: [c] } });
    expect((await listAlbumImages({ ownerId: alice, albumId: id })).items.map((i) => i.id)).toEqual([b]);

    await deleteAlbum({ ownerId: alice, albumId: id });
    expect(await listAlbums({ ownerId: alice })).toEqual([]);
    expect((await getImage({ ownerId: alice, imageId: b })).id).toBe(b);
  });

  it("treats another owner's album and images exactly like missing ones", async () => {
    const alice = owner();
    const bob = owner();
    const [a] = await images(alice, 1);
    const [x] = await images(bob, 1);
    const { id } = await createAlbum({ ownerId: alice, title: "Private", selection: { ids: [a] } });
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const albumId of [id, missing, "not-a-uuid"]) {
      await expect(getAlbum({ ownerId: bob, albumId })).rejects.toMatchObject({ code: "not_found" });
      await expect(listAlbumImages({ ownerId: bob, albumId })).rejects.toMatchObject({ code: "not_found" });
      await expect(addToAlbum({ ownerId: bob, albumId, selection: { ids: [x] } })).rejects.toMatchObject({ code: "not_found" });
      await expect(removeFromAlbum({ ownerId: bob, albumId, selection: { ids: [a] } })).rejects.toMatchObject({ code: "not_found" });
      await expect(deleteAlbum({ ownerId: bob, albumId })).rejects.toMatchObject({ code: "not_found" });
    }
    // Bob's own album cannot take Alice's image.
    const mine = await createAlbum({ ownerId: bob, title: "Mine" });
    await expect(addToAlbum({ ownerId: bob, albumId: mine.id, selection: { ids: [a] } })).rejects.toMatchObject({ code: "not_found" });
    expect(await listAlbums({ ownerId: bob })).toMatchObject([{ title: "Mine", count: 0, coverId: null }]);
  });
});
