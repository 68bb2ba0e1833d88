import { randomBytes } from "node:crypto";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { newDek, toBuffer } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { DEK_HOLDERS } from "@/lib/key-maintenance";
import {
  ensureKeyCheck,
  getKeyring,
  parseImageKeys,
  rotateKeys,
  type StoredWrappedDek,
  MISSING_KEY_MESSAGE,
  unwrapDek,
  wrapDek,
} from "@/lib/keys";

type ImageDoc = { _id: string; ownerId: string; dek: StoredWrappedDek; createdAt?: Date };

const genKey = (): string => randomBytes(32).toString("base64");
const originalKeys = process.env.IMAGE_KEYS;

function useKeys(...entries: [string, string][]): void {
  process.env.IMAGE_KEYS = entries.map(([kid, key]) => `${kid}:${key}`).join(",");
}

afterEach(() => {
  if (originalKeys === undefined) delete process.env.IMAGE_KEYS;
  else process.env.IMAGE_KEYS = originalKeys;
});

function expectIntegrity(fn: () => unknown, message = "Stored data failed its integrity check."): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe("integrity");
  expect((caught as AppError).message).toBe(message);
}

function parseError(raw: string): string {
  try {
    parseImageKeys({ raw });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a parse error");
}

describe("parsing IMAGE_KEYS", () => {
  it("accepts several keys, the first one primary", () => {
    const a = genKey();
    const b = randomBytes(32).toString("base64url");
    const ring = parseImageKeys({ raw: ` k1:${a} , k_2-x:${b},` });
    expect(ring.primaryKid).toBe("k1");
    expect([...ring.keys.keys()]).toEqual(["k1", "k_2-x"]);
    expect(ring.keys.get("k1")!.equals(Buffer.from(a, "base64"))).toBe(true);
    expect(ring.keys.get("k_2-x")!.equals(Buffer.from(b, "base64url"))).toBe(true);
  });

  it("reports bad entries clearly, never printing key material", () => {
    const good = genKey();
    const notBase64 = "not*base64!" + good.slice(11);
    const short = randomBytes(16).toString("base64");

    const badBase64 = parseError(`k1:${notBase64}`);
    expect(badBase64).toMatch(/entry 1 \(key id 'k1'\): key is not valid base64/);
    expect(badBase64).not.toContain(notBase64);

    const wrongLength = parseError(`k1:${good},k2:${short}`);
    expect(wrongLength).toMatch(/entry 2 \(key id 'k2'\): key must decode to 32 bytes, got 16/);
    expect(wrongLength).not.toContain(short);

    expect(parseError(`k1:${good},k1:${genKey()}`)).toMatch(/duplicate key id 'k1'/);

    const noKid = parseError(good);
    expect(noKid).toMatch(/entry 1 is not of the form kid:base64/);
    expect(noKid).not.toContain(good);

    const badKid = parseError(`bad kid!:${good}`);
    expect(badKid).toMatch(/entry 1: key id must match/);
    expect(badKid).not.toContain(good);
    expect(parseError(`${"k".repeat(33)}:${good}`)).toMatch(/key id must match/);

    expect(parseError(" , ")).toMatch(/IMAGE_KEYS is empty/);
  });

  it("fails clearly when IMAGE_KEYS is missing", () => {
    delete process.env.IMAGE_KEYS;
    expect(() => getKeyring()).toThrow(/IMAGE_KEYS is not set/);
    expect(() => wrapDek({ dek: newDek(), imageId: "i", ownerId: "o" })).toThrow(/IMAGE_KEYS is not set/);
  });

  it("re-reads IMAGE_KEYS when it changes", () => {
    useKeys(["a", genKey()]);
    expect(getKeyring().primaryKid).toBe("a");
    useKeys(["b", genKey()], ["a", genKey()]);
    expect(getKeyring().primaryKid).toBe("b");
  });
});

describe("wrapping data keys", () => {
  const k1 = genKey();
  const k2 = genKey();

  it("round trips under the primary key", () => {
    useKeys(["k1", k1], ["k2", k2]);
    const dek = newDek();
    const w = wrapDek({ dek, imageId: "img-1", ownerId: "user-1" });
    expect(w.kid).toBe("k1");
    expect(w.nonce).toHaveLength(12);
    expect(w.wrapped).toHaveLength(48);
    expect(w.wrapped.subarray(0, 32).equals(dek)).toBe(false);
    expect(unwrapDek({ wrappedKey: w, imageId: "img-1", ownerId: "user-1" }).equals(dek)).toBe(true);
    // Fresh nonce every time.
    expect(wrapDek({ dek, imageId: "img-1", ownerId: "user-1" }).nonce.equals(w.nonce)).toBe(false);
  });

  it("binds the key to its image and owner", () => {
    useKeys(["k1", k1]);
    const w = wrapDek({ dek: newDek(), imageId: "ab", ownerId: "c" });
    expectIntegrity(() => unwrapDek({ wrappedKey: w, imageId: "other", ownerId: "c" }));
    expectIntegrity(() => unwrapDek({ wrappedKey: w, imageId: "ab", ownerId: "someone-else" }));
    // Shifting a character across the boundary must not produce the same AAD.
    expectIntegrity(() => unwrapDek({ wrappedKey: w, imageId: "a", ownerId: "bc" }));
  });

  it("rejects an unknown kid, a wrong key under a known kid, and altered bytes", () => {
    useKeys(["k1", k1]);
    const w = wrapDek({ dek: newDek(), imageId: "i", ownerId: "o" });
    const args = { imageId: "i", ownerId: "o" };
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    expectIntegrity(() => unwrapDek({ wrappedKey: { ...w, kid: "nope" }, ...args }), MISSING_KEY_MESSAGE);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining("key nope not configured"));
    logged.mockRestore();
    const flipped = Buffer.from(w.wrapped);
    flipped[47] ^= 1;
    expectIntegrity(() => unwrapDek({ wrappedKey: { ...w, wrapped: flipped }, ...args }));
    expectIntegrity(() => unwrapDek({ wrappedKey: { ...w, wrapped: w.wrapped.subarray(0, 40) }, ...args }));
    expectIntegrity(() => unwrapDek({ wrappedKey: { ...w, nonce: randomBytes(12) }, ...args }));
    useKeys(["k1", genKey()]);
    expectIntegrity(() => unwrapDek({ wrappedKey: w, ...args }));
  });

  it("still unwraps under a secondary key after a new primary is added", () => {
    useKeys(["k1", k1]);
    const dek = newDek();
    const w = wrapDek({ dek, imageId: "i", ownerId: "o" });
    useKeys(["k2", k2], ["k1", k1]);
    expect(unwrapDek({ wrappedKey: w, imageId: "i", ownerId: "o" }).equals(dek)).toBe(true);
    expect(wrapDek({ dek, imageId: "i", ownerId: "o" }).kid).toBe("k2");
  });
});

describe("with the database", () => {
  beforeEach(async () => {
    const db = await getDb();
    for (const name of ["key_checks", "images", "uploads"]) await db.collection(name).deleteMany({});
  });

  describe("ensureKeyCheck", () => {
    it("records a check value once and accepts the same key again", async () => {
      const db = await getDb();
      useKeys(["k1", genKey()], ["k2", genKey()]);
      await ensureKeyCheck({ db, holders: DEK_HOLDERS });
      await ensureKeyCheck({ db, holders: DEK_HOLDERS });
      const docs = await db.collection("key_checks").find().sort({ _id: 1 }).toArray();
      expect(docs.map((d) => d._id)).toEqual(["k1", "k2"]);
      for (const doc of docs) {
        expect(toBuffer(doc.kcv)).toHaveLength(16);
        expect(doc.createdAt).toBeInstanceOf(Date);
      }
    });

    it("fails loudly for a different key under a known kid", async () => {
      const db = await getDb();
      const right = genKey();
      useKeys(["k1", right]);
      await ensureKeyCheck({ db, holders: DEK_HOLDERS });
      const wrong = genKey();
      useKeys(["k1", wrong]);
      const err = await ensureKeyCheck({ db, holders: DEK_HOLDERS }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toBe("IMAGE_KEYS key 'k1' does not match the key that encrypted this database");
      expect(err?.message).not.toContain(wrong);
      // Adding a new key alongside the right one is fine.
      useKeys(["k2", genKey()], ["k1", right]);
      await expect(ensureKeyCheck({ db, holders: DEK_HOLDERS })).resolves.toBeUndefined();
    });

    it("reports stored data keys under a kid that is not configured, without refusing", async () => {
      const db = await getDb();
      const old = genKey();
      useKeys(["old", old]);
      const w = wrapDek({ dek: newDek(), imageId: "img-1", ownerId: "u" });
      await db.collection<ImageDoc>("images").insertOne({ _id: "img-1", ownerId: "u", dek: w });
      await db.collection("uploads").insertOne({ imageId: "img-2", ownerId: "u", dek: { ...w, kid: "older" } });
      await db.collection("uploads").insertOne({ imageId: "img-3", ownerId: "u" });

      useKeys(["new", genKey()]);
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      await expect(ensureKeyCheck({ db, holders: DEK_HOLDERS })).resolves.toBeUndefined();
      expect(logged.mock.calls.flat().join(" ")).toMatch(/key id\(s\) 'old', 'older', which IMAGE_KEYS does not configure/);
      logged.mockRestore();
      useKeys(["new", genKey()], ["old", old], ["older", genKey()]);
      await expect(ensureKeyCheck({ db, holders: DEK_HOLDERS })).rejects.toThrow(/IMAGE_KEYS key 'new' does not match/);
    });
  });

  describe("rotateKeys", () => {
    it("rewraps every data key, survives an interruption, and leaves old keys unnecessary", async () => {
      const db = await getDb();
      const oldKey = genKey();
      const newKey = genKey();
      useKeys(["old", oldKey]);

      const deks = new Map<string, Buffer>();
      const images = Array.from({ length: 250 }, (_, i) => {
        const _id = `img-${String(i).padStart(4, "0")}`;
        const ownerId = `user-${i % 3}`;
        const dek = newDek();
        deks.set(_id, dek);
        return { _id, ownerId, dek: wrapDek({ dek, imageId: _id, ownerId }), createdAt: new Date() };
      });
      await db.collection<ImageDoc>("images").insertMany(images);
      const uploads = Array.from({ length: 12 }, (_, i) => {
        const imageId = `upl-${i}`;
        const dek = newDek();
        deks.set(imageId, dek);
        return { imageId, ownerId: "user-9", dek: wrapDek({ dek, imageId, ownerId: "user-9" }) };
      });
      await db.collection("uploads").insertMany(uploads);
      // A session without a key yet must be left alone.
      await db.collection("uploads").insertOne({ imageId: "upl-nokey", ownerId: "user-9" });

      useKeys(["new", newKey], ["old", oldKey]);
      let batches = 0;
      await expect(
        rotateKeys({
          db,
          holders: DEK_HOLDERS,
          batchSize: 40,
          onProgress: () => {
            batches++;
            throw new Error("killed");
          },
        }),
      ).rejects.toThrow("killed");
      expect(batches).toBe(1);
      expect(await db.collection("images").countDocuments({ "dek.kid": "new" })).toBe(40);
      expect(await db.collection("images").countDocuments({ "dek.kid": "old" })).toBe(210);

      const progress: number[] = [];
      const result = await rotateKeys({ db, holders: DEK_HOLDERS, batchSize: 40, onProgress: (p) => void progress.push(p.rewrapped) });
      expect(result.rewrapped).toBe(210 + 12);
      expect(progress.at(-1)).toBe(222);
      expect(await db.collection("images").countDocuments({ "dek.kid": { $ne: "new" } })).toBe(0);
      expect(await db.collection("uploads").countDocuments({ "dek.kid": "old" })).toBe(0);
      expect(await db.collection("uploads").countDocuments({ dek: { $exists: false } })).toBe(1);

      // Idempotent: nothing left to do.
      expect((await rotateKeys({ db, holders: DEK_HOLDERS, batchSize: 40 })).rewrapped).toBe(0);

      // The old key can go: every key still opens, and the start-up check passes.
      useKeys(["new", newKey]);
      await ensureKeyCheck({ db, holders: DEK_HOLDERS });
      const stored = [
        ...(await db.collection("images").find().toArray()).map((d) => ({ imageId: String(d._id), ownerId: d.ownerId, dek: d.dek })),
        ...(await db.collection("uploads").find({ dek: { $exists: true } }).toArray()).map((d) => ({
          imageId: d.imageId,
          ownerId: d.ownerId,
          dek: d.dek,
        })),
      ];
      expect(stored).toHaveLength(262);
      for (const doc of stored) {
        const dek = unwrapDek({ wrappedKey: doc.dek as StoredWrappedDek, imageId: doc.imageId as string, ownerId: doc.ownerId as string });
        expect(dek.equals(deks.get(doc.imageId as string)!)).toBe(true);
      }
    });

    it("stops with a clear error when a key cannot be unwrapped", async () => {
      const db = await getDb();
      useKeys(["lost", genKey()]);
      const w = wrapDek({ dek: newDek(), imageId: "img-x", ownerId: "u" });
      await db.collection<ImageDoc>("images").insertOne({ _id: "img-x", ownerId: "u", dek: w });
      useKeys(["new", genKey()]);
      await expect(rotateKeys({ db, holders: DEK_HOLDERS })).rejects.toThrow(/images document img-x: its data key \(key id 'lost'\) does not unwrap/);
    });
  });
});
