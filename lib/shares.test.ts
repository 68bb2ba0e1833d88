import { randomBytes, randomUUID } from "node:crypto";

import { afterAll, describe, expect, it } from "vitest";

import { createAlbum } from "@/lib/albums";
import { closeAnalysisPool } from "@/lib/analysis-pool";
import { drainAnalysisQueue } from "@/lib/analysis-queue";
import { getDb } from "@/lib/db";
import { getTraits, reindexStoredImage, storeTraits } from "@/lib/image-traits";
import { findImageRecord } from "@/lib/images";
import { searchImages } from "@/lib/search";
import { openSharePage } from "@/lib/share-visitors";
import { createShare, listShares, revokeShare, sensitiveImageIds, updateShare } from "@/lib/shares";
import { OPTIONS, address, derived, expectAll, firstItem, photos } from "@/lib/testing/share-helper";
import { createUser, deleteAccount } from "@/lib/users";

const owner = () => randomBytes(12).toString("hex");

afterAll(closeAnalysisPool);

describe("share links", () => {
  it("keeps links to their owner: another owner's share id behaves like a missing one", async () => {
    const alice = owner();
    const bob = owner();
    const [a] = await photos(alice, 1);
    const album = await createAlbum({ ownerId: alice, title: "Mine", selection: { ids: [a] } });
    const share = await createShare({ ownerId: alice, scope: { albumId: album.id }, options: { ...OPTIONS, displayName: "Grandma" } });
    for (const shareId of [share.id, "00000000-0000-4000-8000-000000000000", "nope"]) {
      await expect(revokeShare({ ownerId: bob, shareId })).rejects.toMatchObject({ code: "not_found" });
      await expect(updateShare({ ownerId: bob, shareId, password: "x" })).rejects.toMatchObject({ code: "not_found" });
    }
    await expect(createShare({ ownerId: bob, scope: { albumId: album.id }, options: OPTIONS })).rejects.toMatchObject({ code: "not_found" });
    await expect(createShare({ ownerId: bob, scope: { selection: { ids: [a] } }, options: OPTIONS })).rejects.toMatchObject({ code: "not_found" });
    expect(await listShares({ ownerId: bob })).toEqual([]);
    const [mine] = await listShares({ ownerId: alice });
    expect(mine).toMatchObject({ id: share.id, scope: "Mine", url: `/s/${share.token}`, hasPassword: false });

    // What a visitor gets names neither the owner nor any internal id.
    const entry = await openSharePage({ token: share.token, address: address() });
    const json = JSON.stringify(entry);
    expect(json).toContain("Grandma");
    for (const secret of [alice, a, album.id, share.id]) expect(json).not.toContain(secret);
    const [after] = await listShares({ ownerId: alice });
    expect(after.views).toBe(1);
    // The token is stored only as a hash.
    const raw = JSON.stringify(await (await getDb()).collection("shares").findOne({ _id: share.id as never }));
    expect(raw).not.toContain(share.token);
    expect(raw).not.toContain("Grandma");
  });

  it("ends every link of an account that is deleted, and leaves none of its albums", async () => {
    const user = await createUser({ username: `sharer_${randomBytes(4).toString("hex")}`, displayName: "Sharer", password: "correct horse battery" });
    const [a] = await photos(user.id, 1);
    const album = await createAlbum({ ownerId: user.id, title: "Gone soon", selection: { ids: [a] } });
    const share = await createShare({ ownerId: user.id, scope: { albumId: album.id }, options: OPTIONS });
    const visitor = { token: share.token, address: address() };
    const item = await firstItem(visitor);
    await deleteAccount({ userId: user.id, password: "correct horse battery" });
    await expectAll(derived(visitor, item.id), "not_found");
    const db = await getDb();
    for (const name of ["shares", "albums", "album_items", "strip_sizes"]) expect(await db.collection(name).countDocuments({ ownerId: user.id })).toBe(0);
  });
});

describe("sensitive images", () => {
  // No explicit picture is shipped for the tests: the real model's verdict on the
  // real photos is "not sensitive" (lib/analysis-pool.test.ts), so the flag of one
  // image is set here the way analysis would store it: sealed, with its search token.
  async function markSensitive({ ownerId, imageId }: { ownerId: string; imageId: string }) {
    const doc = await findImageRecord({ ownerId, imageId });
    const traits = await getTraits({ ownerId, imageId });
    if (!doc || !traits) throw new Error("not analysed");
    expect(traits.sensitive).toBe(false);
    await storeTraits({ doc, traits: { ...traits, sensitive: true, sensitiveScore: 0.91 } });
    await reindexStoredImage({ ownerId, imageId });
  }

  it("sharing flagged images asks 'Share anyway?' first; the flag is found by search and never stored in clear", async () => {
    const alice = owner();
    const [calm, flagged] = await photos(alice, 2);
    await drainAnalysisQueue({ ownerId: alice });
    // Analysed, and nothing flagged yet: sharing asks nothing.
    expect(await sensitiveImageIds({ ownerId: alice, imageIds: [calm, flagged] })).toEqual([]);
    expect((await createShare({ ownerId: alice, scope: { selection: { ids: [calm, flagged] } }, options: OPTIONS })).token).toBeTruthy();

    await markSensitive({ ownerId: alice, imageId: flagged });
    expect(await sensitiveImageIds({ ownerId: alice, imageIds: [calm, flagged] })).toEqual([flagged]);
    // Another owner's view of the same ids: nothing (their keys, their images).
    expect(await sensitiveImageIds({ ownerId: owner(), imageIds: [calm, flagged] })).toEqual([]);
    expect((await searchImages({ ownerId: alice, q: "sensitive" })).items.map((i) => i.id)).toEqual([flagged]);

    const sharesBefore = (await listShares({ ownerId: alice })).length;
    const asks = { code: "conflict", message: "Some of these images are marked sensitive. Share anyway?" };
    await expect(createShare({ ownerId: alice, scope: { selection: { ids: [calm, flagged] } }, options: OPTIONS })).rejects.toMatchObject(asks);
    const album = await createAlbum({ ownerId: alice, title: "Mixed", selection: { ids: [calm, flagged] } });
    await expect(createShare({ ownerId: alice, scope: { albumId: album.id }, options: OPTIONS })).rejects.toMatchObject(asks);
    expect((await listShares({ ownerId: alice })).length).toBe(sharesBefore);
    // Only the unflagged one: no question. "Share anyway" shares the flagged ones.
    expect((await createShare({ ownerId: alice, scope: { selection: { ids: [calm] } }, options: OPTIONS })).token).toBeTruthy();
    expect((await createShare({ ownerId: alice, scope: { albumId: album.id }, options: { ...OPTIONS, shareAnyway: true } })).token).toBeTruthy();
    expect((await listShares({ ownerId: alice })).length).toBe(sharesBefore + 2);

    // The flag and its score are sealed: neither is named in the stored rows.
    const db = await getDb();
    const rows = JSON.stringify([
      await db.collection("image_traits").find({ ownerId: alice }).toArray(),
      await db.collection("search_postings").find({ ownerId: alice }).toArray(),
    ]);
    expect(rows).not.toMatch(/sensitive/i);
  });

  it("a large selection is checked in one pass over the owner's characteristics", async () => {
    const alice = owner();
    const ids = await photos(alice, 3);
    await drainAnalysisQueue({ ownerId: alice });
    await markSensitive({ ownerId: alice, imageId: ids[1] });
    // Past the point-read limit (64 ids): unknown ids are simply not flagged.
    const many = [...ids, ...Array.from({ length: 80 }, () => randomUUID())];
    expect(await sensitiveImageIds({ ownerId: alice, imageIds: many })).toEqual([ids[1]]);
  });
});
