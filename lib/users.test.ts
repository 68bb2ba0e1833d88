import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { authenticate, changePassword, createUser, deleteAccount, getUserById, signOutEverywhere } from "@/lib/users";

let n = 0;
const uname = () => `user_${Date.now().toString(36)}_${n++}`;

describe("users", () => {
  it("creates a user with an Argon2id hash and finds it by id", async () => {
    const username = uname();
    const user = await createUser({ username, displayName: "Alice", password: "correct horse" });
    expect(await getUserById({ id: user.id })).toMatchObject({ username, name: "Alice", sessionVersion: 1 });
    const doc = await (await getDb()).collection("users").findOne({ usernameLower: username.toLowerCase() });
    expect(doc?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(doc)).not.toContain("correct horse");
  });

  it("rejects a username that differs only in case", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "password-1" });
    await expect(createUser({ username: username.toUpperCase(), displayName: "B", password: "password-2" })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("treats unknown users and wrong passwords alike and rate-limits per username", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    const unknown = await authenticate({ username: `${username}_nope`, password: "x", ip: "10.0.0.1" }).catch((e) => e);
    const wrong = await authenticate({ username, password: "wrong", ip: "10.0.0.1" }).catch((e) => e);
    expect(unknown).toMatchObject({ code: "unauthorized", message: "Wrong username or password." });
    expect(wrong).toMatchObject({ code: "unauthorized", message: wrong.message });
    expect(unknown.message).toBe(wrong.message);

    for (let i = 0; i < 4; i++) await authenticate({ username, password: "wrong", ip: `10.0.1.${i}` }).catch(() => {});
    const limited = await authenticate({ username, password: "right-password", ip: "10.0.2.1" }).catch((e) => e);
    expect(limited).toMatchObject({ code: "rate_limited" });
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(300);
  });

  it("limits per address, but lets a just-registered account sign in from a limited address", async () => {
    const ip = `10.9.${n}.${n}`;
    const victims = [];
    for (let i = 0; i < 6; i++) victims.push(await createUser({ username: uname(), displayName: "V", password: "victim-password" }));
    // 30 failures from one address, spread over several usernames.
    for (let i = 0; i < 30; i++) await authenticate({ username: victims[i % 6].username, password: "guess", ip }).catch(() => {});
    const old = victims[0];
    await (await getDb()).collection("users").updateOne({ usernameLower: old.username.toLowerCase() }, { $set: { createdAt: new Date(Date.now() - 3600_000) } });
    await (await getDb()).collection("login_attempts").deleteMany({ _id: { $regex: "^user:" } } as never);
    await expect(authenticate({ username: old.username, password: "victim-password", ip })).rejects.toMatchObject({ code: "rate_limited" });
    const fresh = await createUser({ username: uname(), displayName: "New", password: "fresh-password" });
    await expect(authenticate({ username: fresh.username, password: "fresh-password", ip })).resolves.toMatchObject({ id: fresh.id });
  });

  it("ends the window so the owner can sign in again", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    for (let i = 0; i < 5; i++) await authenticate({ username, password: "wrong", ip: "10.1.0.1" }).catch(() => {});
    await expect(authenticate({ username, password: "right-password", ip: "10.1.0.2" })).rejects.toMatchObject({ code: "rate_limited" });
    // Simulate the window running out.
    await (await getDb()).collection("login_attempts").updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(authenticate({ username, password: "right-password", ip: "10.1.0.2" })).resolves.toMatchObject({ username });
  });

  it("bumps the session version on sign-out-everywhere and password change", async () => {
    const username = uname();
    const user = await createUser({ username, displayName: "A", password: "first-password" });
    await signOutEverywhere({ userId: user.id });
    expect((await getUserById({ id: user.id }))?.sessionVersion).toBe(2);
    await expect(changePassword({ userId: user.id, currentPassword: "nope", newPassword: "second-password" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    const updated = await changePassword({ userId: user.id, currentPassword: "first-password", newPassword: "second-password" });
    expect(updated.sessionVersion).toBe(3);
    await expect(authenticate({ username, password: "second-password", ip: "10.2.0.1" })).resolves.toMatchObject({ id: user.id });
  });

  it("keeps passwords of 128 characters whole", async () => {
    const username = uname();
    const long = "p".repeat(127) + "1";
    await createUser({ username, displayName: "A", password: long });
    await expect(authenticate({ username, password: "p".repeat(127) + "2", ip: "10.3.0.1" })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(authenticate({ username, password: long, ip: "10.3.0.1" })).resolves.toBeTruthy();
  });

  it("deletes the account only with the right password", async () => {
    const username = uname();
    const user = await createUser({ username, displayName: "A", password: "delete-me-pw" });
    await expect(deleteAccount({ userId: user.id, password: "wrong" })).rejects.toMatchObject({ code: "invalid_input" });
    await deleteAccount({ userId: user.id, password: "delete-me-pw" });
    expect(await getUserById({ id: user.id })).toBeNull();
  });

  it("deleting the account removes every image, blob, chunk and pending upload", async () => {
    const { uploadBytes } = await import("@/lib/testing/upload-helper");
    const { makePng } = await import("@/lib/testing/fixtures");
    const { beginUpload, putPart } = await import("@/lib/uploads");
    const user = await createUser({ username: uname(), displayName: "A", password: "delete-all-pw" });
    const keep = await createUser({ username: uname(), displayName: "B", password: "keep-all-pw" });
    const png = await makePng({ width: 30, height: 30 });
    await uploadBytes({ ownerId: user.id, name: "mine.png", bytes: png });
    await uploadBytes({ ownerId: keep.id, name: "theirs.png", bytes: png });
    const pending = await beginUpload({ ownerId: user.id, name: "half.png", size: png.length });
    await putPart({ ownerId: user.id, uploadId: pending.uploadId, index: 0, bytes: png });

    const db = await getDb();
    const chunksBefore = await db.collection("fs.chunks").countDocuments();
    await deleteAccount({ userId: user.id, password: "delete-all-pw" });
    expect(await db.collection("images").countDocuments({ ownerId: user.id })).toBe(0);
    expect(await db.collection("uploads").countDocuments({ ownerId: user.id })).toBe(0);
    expect(await db.collection("images").countDocuments({ ownerId: keep.id })).toBe(1);
    // 3 blobs (1 chunk each) of the image, 1 chunk of the pending upload.
    expect(await db.collection("fs.chunks").countDocuments()).toBe(chunksBefore - 4);
    const liveFiles = new Set((await db.collection("fs.files").find().toArray()).map((f) => String(f._id)));
    const owners: unknown[] = await db.collection("fs.chunks").distinct("files_id");
    expect(owners.every((id) => liveFiles.has(String(id)))).toBe(true);
  });

  it("answers a malformed id like a missing one", async () => {
    expect(await getUserById({ id: "not-an-id" })).toBeNull();
    expect(await getUserById({ id: "0123456789abcdef01234567" })).toBeNull();
  });
});
