import { execFileSync } from "node:child_process";
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { createAlbum } from "@/lib/albums";
import { closeAnalysisPool } from "@/lib/analysis-pool";
import { drainAnalysisQueue } from "@/lib/analysis-queue";
import { getDb } from "@/lib/db";
import { getTraits, reindexStoredImage, storeTraits } from "@/lib/image-traits";
import { findImageRecord } from "@/lib/images";
import { restoreImages, trashImages } from "@/lib/image-selection";
import { searchImages } from "@/lib/search";
import {
  SHARE_GUESS_RULE,
  type Visitor,
  createShare,
  listShares,
  listSharedItems,
  openSharePage,
  openSharedVariant,
  openSharedZip,
  revokeShare,
  sensitiveImageIds,
  unlockShare,
  updateShare,
} from "@/lib/shares";
import { exiftoolTags, revealing } from "@/lib/testing/exiftool";
import { makeJpeg } from "@/lib/testing/fixtures";
import { createUser, deleteAccount } from "@/lib/users";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");

afterAll(closeAnalysisPool);
const address = () => `10.${randomInt(255)}.${randomInt(255)}.${randomInt(255)}`;
const EXIF = { Make: "Acme", Model: "Snapper 9", DateTimeOriginal: "2024:05:06 07:08:09", gps: { latitude: 48.8584, longitude: 2.2945 } };
const OPTIONS = { expires: { choice: "never" as const }, allowDownload: true, includeMeta: false, hideNames: false };

async function collect(gen: AsyncGenerator<Buffer>) {
  const parts: Buffer[] = [];
  for await (const p of gen) parts.push(p);
  return Buffer.concat(parts);
}

function unzipAll(buf: Buffer): Record<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "share-zip-"));
  try {
    fs.writeFileSync(path.join(dir, "a.zip"), buf);
    execFileSync("unzip", ["-q", "a.zip", "-d", "out"], { cwd: dir });
    return Object.fromEntries(fs.readdirSync(path.join(dir, "out")).map((n) => [n, fs.readFileSync(path.join(dir, "out", n))]));
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

async function photos(ownerId: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = await makeJpeg({ width: 48 + i, height: 32, exif: EXIF, colors: ["#336699", "#996633"] });
    ids.push((await uploadBytes({ ownerId, name: `holiday-${i}.jpg`, bytes })).id);
  }
  return ids;
}

/** Every URL a visitor can derive from a share, as calls: they must all pass or all fail the same check. */
function derived(visitor: Visitor, itemId: string) {
  return {
    thumb: () => openSharedVariant({ ...visitor, itemId, variant: "thumb" }).then((v) => collect(v.body)),
    preview: () => openSharedVariant({ ...visitor, itemId, variant: "preview" }).then((v) => collect(v.body)),
    original: () => openSharedVariant({ ...visitor, itemId, variant: "original", download: true }).then((v) => collect(v.body)),
    zip: () => openSharedZip(visitor).then((z) => collect(z.body)),
    list: () => listSharedItems({ ...visitor, offset: 0 }),
  };
}

async function expectAll(calls: Record<string, () => Promise<unknown>>, code: string) {
  for (const [name, call] of Object.entries(calls)) {
    await expect(call(), name).rejects.toMatchObject({ code });
  }
}

async function firstItem(visitor: Visitor) {
  const entry = await openSharePage(visitor);
  if (entry.locked) throw new Error("locked");
  return entry.view.page.items[0];
}

describe("share links", () => {
  it("answers 10,000 random tokens with uniform 404s, then rate-limits the address", async () => {
    const alice = owner();
    const [a] = await photos(alice, 1);
    const album = await createAlbum({ ownerId: alice, title: "Real", selection: { ids: [a] } });
    const real = await createShare({ ownerId: alice, scope: { albumId: album.id }, options: OPTIONS });
    const guesser = address();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_%/.é ";
    const codes = new Map<string, number>();
    const messages = new Set<string>();
    const started = Date.now();
    for (let i = 0; i < 10_000; i++) {
      // Mostly well-formed 32-character tokens; some of any length and alphabet.
      const token =
        i % 10 === 0
          ? Array.from({ length: randomInt(0, 200) }, () => alphabet[randomInt(alphabet.length)]).join("")
          : randomBytes(24).toString("base64url");
      try {
        await openSharePage({ token, address: guesser });
        throw new Error("a random token opened a share");
      } catch (err) {
        const e = err as { code?: string; message: string };
        codes.set(e.code ?? "?", (codes.get(e.code ?? "?") ?? 0) + 1);
        if (e.code === "not_found") messages.add(e.message);
      }
    }
    // Windows are fixed (lib/rate-limit): a run that crosses a window boundary gets the limit once more.
    const windows = Math.floor(Date.now() / 1000 / SHARE_GUESS_RULE.windowSeconds) - Math.floor(started / 1000 / SHARE_GUESS_RULE.windowSeconds) + 1;
    expect(codes.get("not_found")).toBe(SHARE_GUESS_RULE.limit * windows);
    expect(codes.get("rate_limited")).toBe(10_000 - SHARE_GUESS_RULE.limit * windows);
    expect(codes.size).toBe(2);
    expect(messages.size).toBe(1);
    // Rate-limited addresses are refused before the lookup, even with the real token...
    await expect(openSharePage({ token: real.token, address: guesser })).rejects.toMatchObject({ code: "rate_limited" });
    // ...while everyone else is unaffected.
    expect((await openSharePage({ token: real.token, address: address() })).locked).toBe(false);
  }, 600_000);

  it("refuses another image's id, another share's item id and foreign ids in every derived URL", async () => {
    const alice = owner();
    const bob = owner();
    const [a, b, c] = await photos(alice, 3);
    const [x] = await photos(bob, 1);
    const album1 = await createAlbum({ ownerId: alice, title: "One", selection: { ids: [a, b] } });
    const album2 = await createAlbum({ ownerId: alice, title: "Two", selection: { ids: [c] } });
    const s1 = await createShare({ ownerId: alice, scope: { albumId: album1.id }, options: OPTIONS });
    const s2 = await createShare({ ownerId: alice, scope: { albumId: album2.id }, options: OPTIONS });
    const s3 = await createShare({ ownerId: alice, scope: { selection: { ids: [c] } }, options: OPTIONS });
    const sb = await createShare({ ownerId: bob, scope: { selection: { ids: [x] } }, options: OPTIONS });
    const v1 = { token: s1.token, address: address() };
    const own = await firstItem(v1);
    expect(own.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await derived(v1, own.id).thumb()).length).toBeGreaterThan(0);

    const other2 = (await firstItem({ token: s2.token, address: address() })).id;
    const other3 = (await firstItem({ token: s3.token, address: address() })).id;
    const otherBob = (await firstItem({ token: sb.token, address: address() })).id;
    for (const itemId of [other2, other3, otherBob, a, c, x, a.replaceAll("-", ""), "AAAAAAAAAAAAAAAAAAAAAA", "", "../../etc/passwd"]) {
      const calls = derived(v1, itemId);
      for (const name of ["thumb", "preview", "original"] as const) {
        await expect(calls[name](), `${name} ${itemId}`).rejects.toMatchObject({ code: "not_found" });
      }
    }
    // Per-share ids: the same image has different item ids in two shares.
    const s4 = await createShare({ ownerId: alice, scope: { albumId: album1.id }, options: OPTIONS });
    const ids1 = (await listSharedItems({ ...v1, offset: 0 })).items.map((i) => i.id).sort();
    const ids4 = (await listSharedItems({ token: s4.token, address: address(), offset: 0 })).items.map((i) => i.id).sort();
    expect(ids1).toHaveLength(2);
    expect(ids1.some((id) => ids4.includes(id))).toBe(false);
  });

  it("demands the password on every derived URL, and a password change or another share's cookie does not pass", async () => {
    const alice = owner();
    const [a] = await photos(alice, 1);
    const album = await createAlbum({ ownerId: alice, title: "Locked", selection: { ids: [a] } });
    const share = await createShare({ ownerId: alice, scope: { albumId: album.id }, options: { ...OPTIONS, password: "correct horse" } });
    const other = await createShare({ ownerId: alice, scope: { albumId: album.id }, options: { ...OPTIONS, password: "correct horse" } });
    const where = address();
    expect(await openSharePage({ token: share.token, address: where })).toEqual({ locked: true });

    await expect(unlockShare({ token: share.token, address: where, password: "wrong" })).rejects.toMatchObject({ code: "invalid_input" });
    const cookie = await unlockShare({ token: share.token, address: where, password: "correct horse" });
    expect(cookie).toMatchObject({ name: "share_access", path: `/s/${share.token}` });
    const visitor = { token: share.token, address: where, access: cookie.value };
    const item = await firstItem(visitor);
    const open = derived(visitor, item.id);
    for (const call of Object.values(open)) await call();

    for (const access of [null, "", "garbage", `${Date.now() + 60_000}.${"A".repeat(43)}`]) {
      await expectAll(derived({ token: share.token, address: where, access }, item.id), "not_found");
    }
    // The other share's cookie (same password) does not open this one.
    const otherCookie = await unlockShare({ token: other.token, address: where, password: "correct horse" });
    await expectAll(derived({ token: share.token, address: where, access: otherCookie.value }, item.id), "not_found");

    await updateShare({ ownerId: alice, shareId: share.id, password: "new password" });
    await expectAll(open, "not_found");
    expect(await openSharePage(visitor)).toEqual({ locked: true });

    // Wrong guesses are limited per link and address.
    const guesser = address();
    for (let i = 0; i < 10; i++) await expect(unlockShare({ token: share.token, address: guesser, password: `guess-${i}` })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(unlockShare({ token: share.token, address: guesser, password: "new password" })).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("ends access to URLs fetched before a revoke or an expiry", async () => {
    const alice = owner();
    const [a] = await photos(alice, 1);
    const album = await createAlbum({ ownerId: alice, title: "Short", selection: { ids: [a] } });
    const revoked = await createShare({ ownerId: alice, scope: { albumId: album.id }, options: OPTIONS });
    const expiring = await createShare({ ownerId: alice, scope: { albumId: album.id }, options: { ...OPTIONS, expires: { choice: "1" } } });
    for (const [share, end] of [
      [revoked, () => revokeShare({ ownerId: alice, shareId: revoked.id })],
      [
        expiring,
        () => getDb().then((db) => db.collection("shares").updateOne({ _id: expiring.id as never }, { $set: { expiresAt: new Date(Date.now() - 1000) } })),
      ],
    ] as const) {
      const visitor = { token: share.token, address: address() };
      const item = await firstItem(visitor);
      const calls = derived(visitor, item.id);
      for (const call of Object.values(calls)) await call();
      await end();
      await expectAll(calls, "not_found");
      await expect(openSharePage(visitor)).rejects.toMatchObject({ code: "not_found" });
    }
    const listed = await listShares({ ownerId: alice });
    expect(listed.find((s) => s.id === revoked.id)?.revokedAt).not.toBeNull();
    expect(listed.find((s) => s.id === expiring.id)?.expired).toBe(true);
  });

  it("hides trashed images from a share, and shows an empty state when none are left", async () => {
    const alice = owner();
    const [a, b] = await photos(alice, 2);
    const share = await createShare({ ownerId: alice, scope: { selection: { ids: [a, b] } }, options: OPTIONS });
    const visitor = { token: share.token, address: address() };
    const before = await listSharedItems({ ...visitor, offset: 0 });
    expect(before.total).toBe(2);
    await trashImages({ ownerId: alice, selection: { ids: [a, b] } });
    for (const item of before.items) await expect(derived(visitor, item.id).thumb()).rejects.toMatchObject({ code: "not_found" });
    const entry = await openSharePage(visitor);
    expect(entry.locked === false && entry.view.page).toEqual({ items: [], nextOffset: null, total: 0 });
    await expect(openSharedZip(visitor)).rejects.toMatchObject({ code: "not_found" });
    await restoreImages({ ownerId: alice, selection: { ids: [a, b] } });
    expect((await listSharedItems({ ...visitor, offset: 0 })).total).toBe(2);
  });

  it("strips GPS and camera tags from shared originals and zips unless the owner includes them", async () => {
    const alice = owner();
    const [a, b] = await photos(alice, 2);
    const clean = await createShare({ ownerId: alice, scope: { selection: { ids: [a, b] } }, options: { ...OPTIONS, hideNames: true } });
    const full = await createShare({ ownerId: alice, scope: { selection: { ids: [a, b] } }, options: { ...OPTIONS, includeMeta: true } });
    const noDownload = await createShare({ ownerId: alice, scope: { selection: { ids: [a] } }, options: { ...OPTIONS, allowDownload: false } });

    const cv = { token: clean.token, address: address() };
    const item = await firstItem(cv);
    expect(item.name).toMatch(/^image-\d{3}\.jpg$/);
    const single = await openSharedVariant({ ...cv, itemId: item.id, variant: "original" });
    const bytes = await collect(single.body);
    expect(bytes.length).toBe(single.size);
    expect(revealing(exiftoolTags(bytes))).toEqual([]);
    const zipped = unzipAll(await collect((await openSharedZip(cv)).body));
    expect(Object.keys(zipped).sort()).toEqual(["image-001.jpg", "image-002.jpg"]);
    for (const entry of Object.values(zipped)) expect(revealing(exiftoolTags(entry))).toEqual([]);

    const fv = { token: full.token, address: address() };
    const fullZip = unzipAll(await collect((await openSharedZip(fv)).body));
    expect(Object.keys(fullZip).sort()).toEqual(["holiday-0.jpg", "holiday-1.jpg"]);
    for (const entry of Object.values(fullZip)) {
      const tags = revealing(exiftoolTags(entry));
      expect(tags.some((t) => t.includes("GPSLatitude"))).toBe(true);
      expect(tags.some((t) => t.endsWith(":Make"))).toBe(true);
    }

    const nv = { token: noDownload.token, address: address() };
    const nItem = await firstItem(nv);
    await expect(openSharedVariant({ ...nv, itemId: nItem.id, variant: "original" })).rejects.toMatchObject({ code: "not_found" });
    await expect(openSharedZip(nv)).rejects.toMatchObject({ code: "not_found" });
    expect((await derived(nv, nItem.id).preview()).length).toBeGreaterThan(0);
  });

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
