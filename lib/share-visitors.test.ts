import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { createAlbum } from "@/lib/albums";
import { closeAnalysisPool } from "@/lib/analysis-pool";
import { getDb } from "@/lib/db";
import { restoreImages, trashImages } from "@/lib/image-selection";
import { SHARE_GUESS_RULE, listSharedItems, openSharePage, openSharedVariant, openSharedZip, unlockShare } from "@/lib/share-visitors";
import { createShare, listShares, revokeShare, updateShare } from "@/lib/shares";
import { exiftoolTags, revealing } from "@/lib/testing/exiftool";
import { OPTIONS, address, collect, derived, expectAll, firstItem, photos } from "@/lib/testing/share-helper";

const owner = () => randomBytes(12).toString("hex");

afterAll(closeAnalysisPool);

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
    // The window slides (lib/rate-limit): however long the run, no more than the limit got through.
    expect(Date.now() - started).toBeLessThan(SHARE_GUESS_RULE.windowSeconds * 1000);
    expect(codes.get("not_found")).toBe(SHARE_GUESS_RULE.limit);
    expect(codes.get("rate_limited")).toBe(10_000 - SHARE_GUESS_RULE.limit);
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
});
