import { describe, expect, it } from "vitest";

import { ObjectId } from "mongodb";

import { limits } from "@/lib/config";
import { getDb } from "@/lib/db";
import { RULES, sweepExpiredAttempts } from "@/lib/rate-limit";
import { authenticate, changePassword, createUser, deleteAccount, getUserById, registerUser, signOutEverywhere } from "@/lib/users";

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

  it("treats unknown users and wrong passwords alike", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    const unknown = await authenticate({ username: `${username}_nope`, password: "x", ip: "10.0.0.1" }).catch((e) => e);
    const wrong = await authenticate({ username, password: "wrong", ip: "10.0.0.1" }).catch((e) => e);
    expect(unknown).toMatchObject({ code: "unauthorized", message: "Wrong username or password." });
    expect(unknown.message).toBe(wrong.message);
  });

  it("lets exactly 5 of 20 parallel guesses at one account reach the password check", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => authenticate({ username, password: "wrong", ip: "10.4.0.1" }).then(() => "ok", (e) => e.code ?? e.message)),
    );
    // Before reservations came first, all 20 were checked and some crashed with E11000.
    expect(results.filter((r) => r === "unauthorized")).toHaveLength(RULES.pair.limit);
    expect(results.filter((r) => r === "rate_limited")).toHaveLength(20 - RULES.pair.limit);
  });

  it("locks out only the guessing address, not the owner signing in from elsewhere", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    for (let i = 0; i < RULES.pair.limit; i++) await authenticate({ username, password: "wrong", ip: "10.5.0.66" }).catch(() => {});
    const limited = await authenticate({ username, password: "right-password", ip: "10.5.0.66" }).catch((e) => e);
    expect(limited).toMatchObject({ code: "rate_limited" });
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(RULES.pair.windowSeconds);
    await expect(authenticate({ username, password: "right-password", ip: "10.5.0.1" })).resolves.toMatchObject({ username });
  });

  it("backs off an account guessed from many addresses, except from addresses its owner used", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    await authenticate({ username, password: "right-password", ip: "10.6.0.1" });
    const db = await getDb();
    // Older than "just registered", so the account is judged like any other.
    await db.collection("users").updateOne({ usernameLower: username.toLowerCase() }, { $set: { createdAt: new Date(Date.now() - 3600_000) } });
    for (let i = 0; i < RULES.account.limit; i++) await authenticate({ username, password: "guess", ip: `10.6.1.${i}` }).catch(() => {});
    await expect(authenticate({ username, password: "right-password", ip: "10.6.2.1" })).rejects.toMatchObject({ code: "rate_limited" });
    await expect(authenticate({ username, password: "right-password", ip: "10.6.0.1" })).resolves.toMatchObject({ username });
  });

  it("limits one address spraying many accounts, but lets a just-registered account sign in there", async () => {
    const ip = `10.9.${n}.${n}`;
    const victims = [];
    for (let i = 0; i < 6; i++) victims.push(await createUser({ username: uname(), displayName: "V", password: "victim-password" }));
    const db = await getDb();
    await db.collection("users").updateMany({ _id: { $in: victims.map((v) => new ObjectId(v.id)) } }, { $set: { createdAt: new Date(Date.now() - 3600_000) } });
    for (let i = 0; i < RULES.address.limit; i++) await authenticate({ username: victims[i % 6].username, password: "guess", ip }).catch(() => {});
    await expect(authenticate({ username: victims[0].username, password: "victim-password", ip })).rejects.toMatchObject({ code: "rate_limited" });
    const fresh = await createUser({ username: uname(), displayName: "New", password: "fresh-password" });
    await expect(authenticate({ username: fresh.username, password: "fresh-password", ip })).resolves.toMatchObject({ id: fresh.id });
  });

  it("does not count successful sign-ins against an address", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    for (let i = 0; i < RULES.address.limit + 5; i++) await authenticate({ username, password: "right-password", ip: "10.7.0.1" });
    await expect(authenticate({ username, password: "right-password", ip: "10.7.0.1" })).resolves.toMatchObject({ username });
  });

  it("ends the window so the address can try again", async () => {
    const username = uname();
    await createUser({ username, displayName: "A", password: "right-password" });
    for (let i = 0; i < 5; i++) await authenticate({ username, password: "wrong", ip: "10.1.0.1" }).catch(() => {});
    await expect(authenticate({ username, password: "right-password", ip: "10.1.0.1" })).rejects.toMatchObject({ code: "rate_limited" });
    // Simulate the window running out: its slots are gone once swept.
    const db = await getDb();
    await db.collection("login_attempts").updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await sweepExpiredAttempts();
    await expect(authenticate({ username, password: "right-password", ip: "10.1.0.1" })).resolves.toMatchObject({ username });
  });

  it("limits re-entering the current password in settings", async () => {
    const user = await createUser({ username: uname(), displayName: "A", password: "current-password" });
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      outcomes.push(await changePassword({ userId: user.id, currentPassword: `guess-${i}`, newPassword: "new-password-1" }).then(() => "ok", (e) => e.code));
    }
    expect(outcomes.slice(0, RULES.passwordCheck.limit)).toEqual(Array(RULES.passwordCheck.limit).fill("invalid_input"));
    expect(outcomes.slice(RULES.passwordCheck.limit)).toEqual(Array(12 - RULES.passwordCheck.limit).fill("rate_limited"));
    await expect(deleteAccount({ userId: user.id, password: "current-password" })).rejects.toMatchObject({ code: "rate_limited" });
    expect(await getUserById({ id: user.id })).not.toBeNull();
  });

  it("limits registrations per address", async () => {
    const ip = `10.8.${n}.1`;
    const outcomes: string[] = [];
    for (let i = 0; i < limits.registrationsPerHour + 1; i++) {
      outcomes.push(await registerUser({ username: uname(), displayName: "R", password: "register-pw", ip }).then(() => "ok", (e) => e.code));
    }
    expect(outcomes).toEqual([...Array(limits.registrationsPerHour).fill("ok"), "rate_limited"]);
    // A taken username is a typo, not abuse: it does not use up a registration.
    const other = `10.8.${n}.2`;
    const taken = uname();
    await registerUser({ username: taken, displayName: "R", password: "register-pw", ip: other });
    for (let i = 0; i < limits.registrationsPerHour; i++) {
      await expect(registerUser({ username: taken, displayName: "R", password: "register-pw", ip: other })).rejects.toMatchObject({ code: "conflict" });
    }
    await expect(registerUser({ username: uname(), displayName: "R", password: "register-pw", ip: other })).resolves.toBeDefined();
  });

  it("with REGISTRATION=closed, lets only the very first account in", async () => {
    const db = await getDb();
    const saved = limits.registration;
    (limits as { registration: string }).registration = "closed";
    try {
      await db.collection("users").deleteMany({});
      await db.collection("settings").deleteMany({});
      const attempts = await Promise.all(
        Array.from({ length: 3 }, (_, i) => registerUser({ username: uname(), displayName: "F", password: "first-pw-1", ip: `10.10.0.${i}` }).then(() => "ok", (e) => e.code)),
      );
      expect(attempts.sort()).toEqual(["ok", "registration_closed", "registration_closed"]);
      await expect(registerUser({ username: uname(), displayName: "L", password: "later-pw-1", ip: "10.10.1.1" })).rejects.toMatchObject({
        code: "registration_closed",
      });
      expect(await db.collection("users").countDocuments()).toBe(1);
    } finally {
      (limits as { registration: string }).registration = saved;
    }
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
