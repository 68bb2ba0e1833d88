import { beforeAll, describe, expect, it, vi } from "vitest";

import { getDb } from "@/lib/db";
import { listPasskeys } from "@/lib/passkey-store";
import {
  MAX_PASSKEYS,
  beginPasskeyRegistration,
  beginPasskeySignIn,
  finishPasskeyRegistration,
  removePasskey,
  sweepExpiredChallenges,
  verifyPasskeySignIn,
} from "@/lib/passkeys";
import { RULES } from "@/lib/rate-limit";
import type { RelyingParty } from "@/lib/relying-party";
import { createUser, deleteAccount } from "@/lib/users";
import { SoftAuthenticator } from "@/lib/testing/soft-authenticator";

const rp: RelyingParty = { id: "vault.example", name: "Image Vault", origins: ["https://vault.example"] };
const origin = rp.origins[0];
const PASSWORD = "correct horse battery";

let n = 0;
let ipN = 0;
const uname = () => `pk_${Date.now().toString(36)}_${n++}`;
/** A fresh address per test, so the per-address limits of one test do not leak into another. */
const newIp = () => `10.77.${Math.floor(ipN / 250)}.${(ipN++ % 250) + 1}`;

beforeAll(() => {
  // Refusals are logged one line each by design; the assertions below check them.
  vi.spyOn(console, "info").mockImplementation(() => {});
});

async function newUser() {
  return createUser({ username: uname(), displayName: "Pat", password: PASSWORD });
}

/** Registers `device` for the user through both steps, as the settings page does. */
async function addPasskey(userId: string, device: SoftAuthenticator, name = "Laptop") {
  const options = await beginPasskeyRegistration({ userId, name, password: PASSWORD, rp });
  return finishPasskeyRegistration({ userId, response: device.register(options), rp });
}

async function signIn(device: SoftAuthenticator, { ip = newIp(), ...opts }: { ip?: string; origin?: string; userVerified?: boolean } = {}) {
  const options = await beginPasskeySignIn({ ip, rp });
  return verifyPasskeySignIn({ response: device.signIn(options, opts), ip, rp });
}

describe("passkey registration", () => {
  it("asks for the password, then stores the verified credential under its name", async () => {
    const user = await newUser();
    await expect(beginPasskeyRegistration({ userId: user.id, name: "Laptop", password: "wrong password", rp })).rejects.toMatchObject({
      code: "invalid_input",
    });

    const device = new SoftAuthenticator({ origin });
    const options = await beginPasskeyRegistration({ userId: user.id, name: "Laptop", password: PASSWORD, rp });
    expect(options.rp).toEqual({ id: rp.id, name: "Image Vault" });
    expect(options.user.name).toBe(user.username);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    const added = await finishPasskeyRegistration({ userId: user.id, response: device.register(options), rp });
    expect(added).toEqual({ id: device.id, name: "Laptop" });

    const list = await listPasskeys({ userId: user.id });
    expect(list).toMatchObject([{ id: device.id, name: "Laptop", lastUsedAt: null }]);
    const record = await (await getDb()).collection("passkeys").findOne({ _id: device.id } as never);
    expect(record).toMatchObject({ userId: user.id, counter: 1, transports: ["internal"] });
  });

  it("uses each challenge once: a replayed registration is refused", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin });
    const options = await beginPasskeyRegistration({ userId: user.id, name: "Phone", password: PASSWORD, rp });
    const response = device.register(options);
    await finishPasskeyRegistration({ userId: user.id, response, rp });
    await expect(finishPasskeyRegistration({ userId: user.id, response, rp })).rejects.toMatchObject({
      code: "passkey_expired",
      message: "This passkey request expired or was already used. Please try again.",
    });
  });

  it("refuses another user's challenge, a foreign origin and an answer without user verification", async () => {
    const alice = await newUser();
    const mallory = await newUser();
    const options = await beginPasskeyRegistration({ userId: alice.id, name: "A", password: PASSWORD, rp });
    const device = new SoftAuthenticator({ origin });
    await expect(finishPasskeyRegistration({ userId: mallory.id, response: device.register(options), rp })).rejects.toMatchObject({
      code: "passkey_expired",
    });

    const phishing = await beginPasskeyRegistration({ userId: alice.id, name: "A", password: PASSWORD, rp });
    await expect(
      finishPasskeyRegistration({ userId: alice.id, response: device.register(phishing, { origin: "https://vault.example.evil" }), rp }),
    ).rejects.toMatchObject({ code: "passkey_failed", message: "The passkey could not be verified. Please try again." });

    const noUv = await beginPasskeyRegistration({ userId: alice.id, name: "A", password: PASSWORD, rp });
    await expect(finishPasskeyRegistration({ userId: alice.id, response: device.register(noUv, { userVerified: false }), rp })).rejects.toMatchObject({
      code: "passkey_failed",
    });
    expect(await listPasskeys({ userId: alice.id })).toEqual([]);
  });

  it("excludes the account's passkeys, keeps one user handle per account, and caps the count", async () => {
    const user = await newUser();
    const first = new SoftAuthenticator({ origin });
    await addPasskey(user.id, first, "One");
    const options = await beginPasskeyRegistration({ userId: user.id, name: "Two", password: PASSWORD, rp });
    expect(options.excludeCredentials).toEqual([{ id: first.id, type: "public-key", transports: ["internal"] }]);
    await finishPasskeyRegistration({ userId: user.id, response: new SoftAuthenticator({ origin }).register(options), rp });
    const handles = await (await getDb()).collection("passkeys").distinct("userHandle", { userId: user.id });
    expect(handles).toHaveLength(1);

    // The same credential twice (an authenticator ignoring excludeCredentials) is a conflict, not a crash.
    const again = await beginPasskeyRegistration({ userId: user.id, name: "Dup", password: PASSWORD, rp });
    await expect(finishPasskeyRegistration({ userId: user.id, response: first.register(again), rp })).rejects.toMatchObject({ code: "conflict" });

    const db = await getDb();
    const filler = Array.from({ length: MAX_PASSKEYS - 2 }, (_, i) => ({ _id: `filler-${user.id}-${i}`, userId: user.id, createdAt: new Date() }));
    await db.collection("passkeys").insertMany(filler as never[]);
    await expect(beginPasskeyRegistration({ userId: user.id, name: "Too many", password: PASSWORD, rp })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("passkey sign-in", () => {
  it("signs in the passkey's account and records the use", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin });
    await addPasskey(user.id, device);
    await expect(signIn(device)).resolves.toMatchObject({ id: user.id, username: user.username, sessionVersion: 1 });
    const [listed] = await listPasskeys({ userId: user.id });
    expect(listed.lastUsedAt).toBeInstanceOf(Date);
    const record = await (await getDb()).collection("passkeys").findOne({ _id: device.id } as never);
    expect(record?.counter).toBe(2);
  });

  it("works with a synced passkey, whose counter stays 0", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin, synced: true });
    await addPasskey(user.id, device);
    expect((await listPasskeys({ userId: user.id }))[0].synced).toBe(true);
    await expect(signIn(device)).resolves.toMatchObject({ id: user.id });
    await expect(signIn(device)).resolves.toMatchObject({ id: user.id });
  });

  it("refuses a replayed assertion, even sent ten times at once: exactly one signs in", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin, synced: true });
    await addPasskey(user.id, device);
    const ip = newIp();
    const options = await beginPasskeySignIn({ ip, rp });
    const response = device.signIn(options);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => verifyPasskeySignIn({ response, ip, rp }).then(() => "ok", (e) => e.code ?? e.message)),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "passkey_expired")).toHaveLength(9);
  });

  it("refuses an expired challenge, a wrong origin, a bad signature and a missing user verification", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin });
    await addPasskey(user.id, device);

    const ip = newIp();
    const stale = await beginPasskeySignIn({ ip, rp });
    await (await getDb()).collection("passkey_challenges").updateOne({ _id: stale.challenge } as never, { $set: { expiresAt: new Date(Date.now() - 1) } });
    await expect(verifyPasskeySignIn({ response: device.signIn(stale), ip, rp })).rejects.toMatchObject({
      code: "passkey_expired",
      message: "This passkey request expired or was already used. Please try again.",
    });
    expect(await sweepExpiredChallenges()).toBeGreaterThanOrEqual(0);

    await expect(signIn(device, { origin: "https://evil.example" })).rejects.toMatchObject({ code: "passkey_failed" });
    await expect(signIn(device, { userVerified: false })).rejects.toMatchObject({ code: "passkey_failed" });

    const options = await beginPasskeySignIn({ ip, rp });
    const forged = device.signIn(options);
    const sig = Buffer.from(forged.response.signature, "base64url");
    sig[sig.length - 1] ^= 1;
    forged.response.signature = sig.toString("base64url");
    await expect(verifyPasskeySignIn({ response: forged, ip, rp })).rejects.toMatchObject({
      code: "passkey_failed",
      message: "The passkey could not be verified. Please try again.",
    });
  });

  it("refuses another key claiming a registered credential id", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin });
    await addPasskey(user.id, device);
    const impostor = new SoftAuthenticator({ origin });
    (impostor as unknown as { credentialId: Buffer }).credentialId = device.credentialId;
    await expect(signIn(impostor)).rejects.toMatchObject({ code: "passkey_failed" });
  });

  it("says clearly when a passkey is unknown: never registered, removed, or of a deleted account", async () => {
    const message = "This passkey is not registered here: it was removed, or its account was deleted. Sign in with your password.";
    await expect(signIn(new SoftAuthenticator({ origin }))).rejects.toMatchObject({ code: "passkey_unknown", message });

    const user = await newUser();
    const removed = new SoftAuthenticator({ origin });
    await addPasskey(user.id, removed);
    await removePasskey({ userId: user.id, id: removed.id });
    await expect(signIn(removed)).rejects.toMatchObject({ code: "passkey_unknown", message });

    const gone = await newUser();
    const device = new SoftAuthenticator({ origin });
    await addPasskey(gone.id, device);
    await deleteAccount({ userId: gone.id, password: PASSWORD });
    expect(await (await getDb()).collection("passkeys").countDocuments({ userId: gone.id })).toBe(0);
    await expect(signIn(device)).rejects.toMatchObject({ code: "passkey_unknown", message });
  });

  it("limits failed passkey sign-ins per address, and successes do not count", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin, synced: true });
    await addPasskey(user.id, device);
    const ip = newIp();
    for (let i = 0; i < 3; i++) await signIn(device, { ip });
    const stranger = new SoftAuthenticator({ origin });
    for (let i = 0; i < RULES.passkeySignIn.limit; i++) {
      await expect(signIn(stranger, { ip })).rejects.toMatchObject({ code: "passkey_unknown" });
    }
    const limited = await signIn(device, { ip }).catch((e) => e);
    expect(limited).toMatchObject({ code: "rate_limited" });
    expect(limited.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ (minute|second)s?\.$/);
    // Another address is not affected.
    await expect(signIn(device)).resolves.toMatchObject({ id: user.id });
  });

  it("limits how many sign-in challenges one address may ask for", async () => {
    const ip = newIp();
    const db = await getDb();
    // Fill the window as earlier requests would have, then ask once more.
    for (let i = 0; i < RULES.passkeyChallenge.limit; i++) await beginPasskeySignIn({ ip, rp });
    await expect(beginPasskeySignIn({ ip, rp })).rejects.toMatchObject({ code: "rate_limited" });
    await expect(beginPasskeySignIn({ ip: newIp(), rp })).resolves.toHaveProperty("challenge");
    expect(await db.collection("passkey_challenges").countDocuments({ purpose: "sign-in" })).toBeGreaterThanOrEqual(RULES.passkeyChallenge.limit);
  });
});

describe("removing passkeys", () => {
  it("removes only the user's own passkey", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const device = new SoftAuthenticator({ origin });
    await addPasskey(alice.id, device);
    await expect(removePasskey({ userId: bob.id, id: device.id })).rejects.toMatchObject({ code: "not_found" });
    await removePasskey({ userId: alice.id, id: device.id });
    expect(await listPasskeys({ userId: alice.id })).toEqual([]);
    await expect(removePasskey({ userId: alice.id, id: device.id })).rejects.toMatchObject({ code: "not_found" });
  });

  it("lets an account with a password remove its last passkey", async () => {
    const user = await newUser();
    const device = new SoftAuthenticator({ origin });
    await addPasskey(user.id, device);
    await removePasskey({ userId: user.id, id: device.id });
    expect(await listPasskeys({ userId: user.id })).toEqual([]);
  });

  it("keeps a way in: an account without a password cannot remove its last passkey, even two at once", async () => {
    const user = await newUser();
    const a = new SoftAuthenticator({ origin });
    const b = new SoftAuthenticator({ origin });
    await addPasskey(user.id, a, "A");
    await addPasskey(user.id, b, "B");
    const { ObjectId } = await import("mongodb");
    await (await getDb()).collection("users").updateOne({ _id: new ObjectId(user.id) }, { $unset: { passwordHash: "" } });

    const results = await Promise.all([a, b].map((d) => removePasskey({ userId: user.id, id: d.id }).then(() => "ok", (e) => e.code)));
    expect(results.sort()).toEqual(["last_sign_in_method", "ok"]);
    const left = await listPasskeys({ userId: user.id });
    expect(left).toHaveLength(1);
    await expect(removePasskey({ userId: user.id, id: left[0].id })).rejects.toMatchObject({
      code: "last_sign_in_method",
      message: "This is the account's only way to sign in, so it cannot be removed.",
    });
    // It still signs in with what it kept.
    await expect(signIn(left[0].id === a.id ? a : b)).resolves.toMatchObject({ id: user.id });
  });
});
