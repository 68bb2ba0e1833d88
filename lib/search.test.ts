import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { BSON } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";

import { closeAnalysisPool } from "@/lib/analysis-pool";
import { drainAnalysisQueue } from "@/lib/analysis-queue";
import { searchTermsOf } from "@/lib/characteristics";
import { getDb } from "@/lib/db";
import { resolveSelection, trashImages } from "@/lib/image-selection";
import { searchImages } from "@/lib/search";
import { makeJpeg } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");
const photo = (name: string) => readFile(path.join(import.meta.dirname, "testing/photos", name));
const names = async (ownerId: string, q: string) => (await searchImages({ ownerId, q })).items.map((i) => i.name).sort();

afterAll(closeAnalysisPool);

/**
 * Every string stored anywhere in the database (ciphertext is Binary and left
 * out: random bytes contain any short word by chance). Search postings must be
 * exactly `ownerId:token:imageId` with a 96-bit base64url token.
 */
async function storedStrings(): Promise<string> {
  const db = await getDb();
  const out: string[] = [];
  const walk = (value: unknown, key = "") => {
    if (typeof value === "string") out.push(`${key}=${value}`);
    else if (value instanceof Date) out.push(`${key}=${value.toISOString()}`);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value && typeof value === "object" && !(value instanceof BSON.Binary) && !(value instanceof BSON.ObjectId)) {
      for (const [k, v] of Object.entries(value)) {
        out.push(k);
        walk(v, k);
      }
    }
  };
  for (const { name } of await db.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      if (name === "search_postings") {
        expect(doc.key).toMatch(/^[0-9a-f]{24}:[A-Za-z0-9_-]{16}$/);
        expect(doc._id).toBe(`${doc.key}:${doc.imageId}`);
        continue;
      }
      walk(doc);
    }
  }
  return out.join("\n").toLowerCase();
}

describe("search", () => {
  it("finds labels, filename prefixes, colours, camera and dates; several words must all match", async () => {
    const ownerId = owner();
    const exif = { Make: "Fujifilm", Model: "X100V", DateTimeOriginal: "2024:06:14 10:00:00" };
    await uploadBytes({ ownerId, name: "Holiday Astronaut.jpg", bytes: await photo("astronaut.jpg") });
    await uploadBytes({ ownerId, name: "kitchen-coffee.jpg", bytes: await photo("coffee.jpg") });
    await uploadBytes({ ownerId, name: "zebra-crossing.jpg", bytes: await makeJpeg({ width: 300, height: 200, exif }) });
    await drainAnalysisQueue({ ownerId });

    expect(await names(ownerId, "person")).toEqual(["Holiday Astronaut.jpg"]);
    expect(await names(ownerId, "people")).toEqual(["Holiday Astronaut.jpg"]);
    expect(await names(ownerId, "cup")).toEqual(["kitchen-coffee.jpg"]);
    expect(await names(ownerId, "ho")).toEqual(["Holiday Astronaut.jpg"]);
    expect(await names(ownerId, "HOLID")).toEqual(["Holiday Astronaut.jpg"]);
    expect(await names(ownerId, "h")).toEqual([]);
    expect(await names(ownerId, "fujifilm")).toEqual(["zebra-crossing.jpg"]);
    expect(await names(ownerId, "june 2024")).toEqual(["zebra-crossing.jpg"]);
    expect(await names(ownerId, "2024 zebra")).toEqual(["zebra-crossing.jpg"]);
    expect(await names(ownerId, "june 2023")).toEqual([]);
    expect(await names(ownerId, "landscape")).toEqual(["kitchen-coffee.jpg", "zebra-crossing.jpg"]);
    expect(await names(ownerId, "square")).toEqual(["Holiday Astronaut.jpg"]);
    expect(await names(ownerId, "square cup")).toEqual([]);
    // Any input: results or none, never an error.
    for (const q of ["", "   ", "%$#@!", "x".repeat(100_000), "日本 写真", "\u0000", "a b c d e f g h i j k l"]) {
      await expect(searchImages({ ownerId, q })).resolves.toMatchObject({ items: expect.any(Array) });
    }
  });

  it("is per owner, leaves the trash out, and 'Select all' of results resolves every match on the server", async () => {
    const [a, b] = [owner(), owner()];
    const one = await uploadBytes({ ownerId: a, name: "sunset-one.jpg", bytes: await makeJpeg({ width: 80, height: 60 }) });
    const two = await uploadBytes({ ownerId: a, name: "sunset-two.jpg", bytes: await makeJpeg({ width: 80, height: 60 }) });
    await uploadBytes({ ownerId: a, name: "other.jpg", bytes: await makeJpeg({ width: 80, height: 60 }) });
    await uploadBytes({ ownerId: b, name: "sunset-b.jpg", bytes: await makeJpeg({ width: 80, height: 60 }) });
    await drainAnalysisQueue({ ownerId: a });
    await drainAnalysisQueue({ ownerId: b });
    expect(await names(a, "sunset")).toEqual(["sunset-one.jpg", "sunset-two.jpg"]);
    expect(await names(b, "sunset")).toEqual(["sunset-b.jpg"]);
    expect((await resolveSelection({ ownerId: a, selection: { all: true, search: "sunset" } })).sort()).toEqual([one.id, two.id].sort());
    expect(await resolveSelection({ ownerId: a, selection: { all: true, search: "sunset", except: [one.id] } })).toEqual([two.id]);
    await trashImages({ ownerId: a, selection: { ids: [one.id] } });
    expect(await names(a, "sunset")).toEqual(["sunset-two.jpg"]);
  });

  it("a dump of the database holds no label, colour, filename word or date in clear", async () => {
    const ownerId = owner();
    const exif = { Make: "Leica", Model: "Q2", DateTimeOriginal: "2023:02:01 10:00:00" };
    await uploadBytes({ ownerId, name: "marmalade-breakfast.jpg", bytes: await photo("coffee.jpg") });
    await uploadBytes({ ownerId, name: "quokka.jpg", bytes: await makeJpeg({ width: 64, height: 48, exif }) });
    await drainAnalysisQueue({ ownerId });
    expect(await names(ownerId, "cup")).toEqual(["marmalade-breakfast.jpg"]);
    expect(await names(ownerId, "leica february 2023")).toEqual(["quokka.jpg"]);
    const dump = await storedStrings();
    for (const secret of ["marmalade", "breakfast", "quokka", "leica", "2023:02", "2023-02", "february", "cup", "landscape", "white", "brown"]) {
      expect(dump, secret).not.toContain(secret);
    }
  });

  it("terms: filename prefixes of two or more letters, plurals of labels, month and year", () => {
    const terms = searchTermsOf({
      meta: { name: "Beach.JPG", format: "jpeg", pages: 1, hasAlpha: false, exif: { DateTimeOriginal: "2024-06-02T10:00:00" }, gps: null, palette: [] },
      traits: null,
    });
    expect(terms).toEqual(expect.arrayContaining(["be", "bea", "beac", "beach", "2024", "june"]));
    expect(terms).not.toContain("b");
    expect(terms).not.toContain("jpg");
  });
});
