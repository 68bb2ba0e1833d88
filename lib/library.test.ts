import { randomBytes } from "node:crypto";

import { BSON } from "mongodb";
import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { countImages, getImageNeighbours, listImages, listMonths, rebuildLibrary } from "@/lib/image-listing";
import type { ImageDoc } from "@/lib/images";
import { restoreImages, trashImages } from "@/lib/image-selection";
import { BUCKET_CAPACITY, readSummary } from "@/lib/library";
import { readsDuring } from "@/lib/testing/db-reads";
import { makeJpeg, makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");

async function walk(ownerId: string, { trashed = false, limit = 8 } = {}) {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await listImages({ ownerId, cursor, limit, trashed });
    ids.push(...page.items.map((i) => i.id));
    pageSizes.push(page.items.length);
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, pageSizes };
}

/** As if the owner's summary had never been written (data from before summaries). */
async function forgetSummary(ownerId: string) {
  const db = await getDb();
  await db.collection("library_heads").deleteOne({ _id: ownerId } as never);
  await db.collection("libraries").deleteOne({ _id: ownerId } as never);
}

/** More images than one bucket holds, all taken the same day (so they share buckets). */
async function library(count: number) {
  const ownerId = owner();
  const png = await makePng({ width: 8, height: 8 });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await uploadBytes({ ownerId, name: `img-${i}.png`, bytes: png })).id);
  return { ownerId, ids };
}

describe("timeline listing", () => {
  it("orders by date taken, falling back to the upload date, and says when each was taken", async () => {
    const ownerId = owner();
    const at = async (date: string | null, name: string) =>
      uploadBytes({
        ownerId,
        name,
        bytes: await makeJpeg({ width: 16, height: 12, exif: date ? { DateTimeOriginal: date } : undefined }),
      });
    await at("2019:06:01 10:00:00", "2019.jpg");
    await at("2023:01:15 08:30:00", "2023.jpg");
    await at(null, "today.jpg");
    await at("2021:12:24 18:00:00", "2021.jpg");
    const page = await listImages({ ownerId });
    expect(page.items.map((i) => i.name)).toEqual(["today.jpg", "2023.jpg", "2021.jpg", "2019.jpg"]);
    expect(page.items[1].takenAt).toBe("2023-01-15T08:30:00");
    expect(page.items[0].takenAt).toBeNull();
    expect(page.total).toBe(4);
  });

  it("keeps exact date-taken order when photos of any date arrive in any order and buckets split", async () => {
    const ownerId = owner();
    const taken: { id: string; at: string }[] = [];
    for (let i = 0; i < BUCKET_CAPACITY * 2 + 10; i++) {
      // Dates scattered over ten years, deterministic per index.
      const at = new Date(Date.UTC(2015, 0, 1) + ((i * 7_919_113) % 3650) * 86_400_000 + i * 1000);
      const exifDate = at.toISOString().slice(0, 19).replace(/-/g, ":").replace("T", " ");
      const item = await uploadBytes({ ownerId, name: `s${i}.jpg`, bytes: await makeJpeg({ width: 8, height: 8, exif: { DateTimeOriginal: exifDate } }) });
      taken.push({ id: item.id, at: at.toISOString().slice(0, 19) });
    }
    const sorted = [...taken].sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
    const expected = sorted.map((t) => t.id);
    expect((await walk(ownerId, { limit: 25 })).ids).toEqual(expected);

    // The scrubber's months and counts, and a jump to one of them.
    const months = new Map<string, number>();
    for (const t of taken) months.set(t.at.slice(0, 7), (months.get(t.at.slice(0, 7)) ?? 0) + 1);
    const listed = await listMonths({ ownerId });
    expect(listed).toEqual([...months].sort((x, y) => (x[0] < y[0] ? 1 : -1)).map(([month, count]) => ({ month, count })));
    const target = listed[Math.floor(listed.length / 2)].month;
    const jumped = await listImages({ ownerId, from: target, limit: 5 });
    expect(jumped.items.map((i) => i.id)).toEqual(sorted.filter((t) => t.at.slice(0, 7) <= target).slice(0, 5).map((t) => t.id));
    const summary = (await readSummary({ ownerId }))!;
    expect(summary.buckets.length).toBeGreaterThanOrEqual(3);
    expect(summary.buckets.every((b) => b.n + b.t <= BUCKET_CAPACITY)).toBe(true);
  });

  it("walks more than one bucket in pages smaller than a bucket, with no gaps, repeats or empty pages after trashing", async () => {
    const { ownerId, ids } = await library(BUCKET_CAPACITY + 10);
    const first = await walk(ownerId);
    expect(first.ids).toHaveLength(ids.length);
    expect(new Set(first.ids).size).toBe(ids.length);
    // Uploaded in order, all "taken" today: newest upload first.
    expect(first.ids).toEqual([...ids].reverse());

    // Trash a run of images across the bucket boundary, and one bucket's worth elsewhere.
    const trashed = first.ids.slice(5, 5 + 30);
    expect((await trashImages({ ownerId, selection: { ids: trashed } })).done).toBe(30);
    const after = await walk(ownerId);
    expect(after.ids).toEqual(first.ids.filter((id) => !trashed.includes(id)));
    expect(after.pageSizes.slice(0, -1).every((n) => n === 8)).toBe(true);
    expect(await countImages({ ownerId })).toBe(ids.length - 30);

    const inTrash = await walk(ownerId, { trashed: true });
    expect(new Set(inTrash.ids)).toEqual(new Set(trashed));
    expect(await countImages({ ownerId, trashed: true })).toBe(30);

    await restoreImages({ ownerId, selection: { ids: trashed.slice(0, 10) } });
    expect(await countImages({ ownerId })).toBe(ids.length - 20);
    expect((await walk(ownerId)).ids).toHaveLength(ids.length - 20);
  });

  it("trashes \"Select all\" in bounded steps under one batch, and Undo of that batch restores exactly those", async () => {
    const { ownerId, ids } = await library(20);
    const other = await library(2);
    // One image trashed earlier is not part of the batch and must stay in the trash.
    await trashImages({ ownerId, selection: { ids: [ids[0]] } });

    const steps = [];
    let batch: string | undefined;
    for (;;) {
      const step = await trashImages({ ownerId, selection: { all: true }, limit: 7, batch });
      steps.push({ done: step.done, more: step.more });
      batch ??= step.batch;
      expect(step.batch).toBe(batch);
      if (!step.more) break;
    }
    expect(steps).toEqual([
      { done: 7, more: true },
      { done: 7, more: true },
      { done: 5, more: false },
    ]);
    expect(await countImages({ ownerId })).toBe(0);

    // Another owner naming the batch restores nothing of this owner's.
    expect((await restoreImages({ ownerId: other.ownerId, selection: { batch: batch! } })).done).toBe(0);
    expect(await countImages({ ownerId })).toBe(0);

    let restored = 0;
    for (;;) {
      const step = await restoreImages({ ownerId, selection: { batch: batch! }, limit: 7 });
      restored += step.done;
      if (!step.more) break;
    }
    expect(restored).toBe(19);
    expect(new Set((await walk(ownerId)).ids)).toEqual(new Set(ids.slice(1)));
    expect((await walk(ownerId, { trashed: true })).ids).toEqual([ids[0]]);
  });

  it("gives a photo's neighbours in timeline order across bucket edges, skipping the trash, and nothing to another owner", async () => {
    const { ownerId, ids } = await library(70);
    const other = await library(1);
    await trashImages({ ownerId, selection: { ids: [ids[10]] } });
    const order = (await walk(ownerId)).ids;
    expect(order).toHaveLength(69);
    for (const i of [0, 1, 20, 47, 48, 49, 59, 60, 68]) {
      const { previous, next } = await getImageNeighbours({ ownerId, imageId: order[i] });
      expect(previous?.id ?? null).toBe(order[i - 1] ?? null);
      expect(next?.id ?? null).toBe(order[i + 1] ?? null);
    }
    await expect(getImageNeighbours({ ownerId: other.ownerId, imageId: order[5] })).rejects.toMatchObject({ code: "not_found" });
    await expect(getImageNeighbours({ ownerId, imageId: ids[10] })).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses tampered, foreign and malformed cursors with a 400, never another owner's items", async () => {
    const a = await library(12);
    const b = await library(3);
    const page = await listImages({ ownerId: a.ownerId, limit: 5 });
    const cursor = page.nextCursor!;
    // The cursor works for its owner...
    expect((await listImages({ ownerId: a.ownerId, cursor, limit: 5 })).items).toHaveLength(5);
    // ...and for nobody else.
    await expect(listImages({ ownerId: b.ownerId, cursor })).rejects.toMatchObject({ code: "invalid_input" });
    const [body, mac] = cursor.split(".");
    const forged = Buffer.from(body, "base64url").toString().replace(/\d{10,}/, "1");
    for (const bad of [`${Buffer.from(forged).toString("base64url")}.${mac}`, `${body}.AAAA`, "garbage", "a.b.c", "", ".", "x".repeat(1000)]) {
      await expect(listImages({ ownerId: a.ownerId, cursor: bad || "?" })).rejects.toMatchObject({ code: "invalid_input" });
    }
  });

  it("reads only by equality: a summary, then one bucket query per bucket touched, whatever the library's size", async () => {
    const { ownerId } = await library(BUCKET_CAPACITY + 4);
    const seen = await readsDuring(async () => {
      const first = await listImages({ ownerId, limit: 60 });
      await listImages({ ownerId, limit: 60, cursor: first.nextCursor });
    });
    const onImages = seen.filter((c) => c.find === "images");
    // Page 1 is the newest bucket (4) and most of the full one; page 2 finishes that one.
    expect(onImages.length).toBe(3);
    // The summary is read through its head (a few bytes); this process wrote it, so it is still open here.
    expect(seen.filter((c) => c.find === "library_heads")).toHaveLength(2);
    expect(seen.filter((c) => c.find === "libraries")).toHaveLength(0);
    expect(seen.filter((c) => c.aggregate || c.count)).toEqual([]);
    for (const cmd of seen) {
      // FerretDB 1.24 pushes down only top-level equality: no sort, no operators.
      expect(cmd.sort ?? {}).toEqual({});
      for (const value of Object.values(cmd.filter ?? {})) expect(typeof value === "string" || value instanceof BSON.ObjectId).toBe(true);
    }
  });

  it("builds the summary for records that predate it, and the sweeper's rebuild repairs wrong counts", async () => {
    const { ownerId, ids } = await library(6);
    await trashImages({ ownerId, selection: { ids: ids.slice(0, 2) } });
    const db = await getDb();
    await db.collection<ImageDoc>("images").updateMany({ ownerId }, { $unset: { pageKey: "" } });
    await forgetSummary(ownerId);
    expect((await walk(ownerId)).ids).toEqual([...ids].reverse().slice(0, 4));
    expect(await countImages({ ownerId, trashed: true })).toBe(2);
    expect(await db.collection<ImageDoc>("images").countDocuments({ ownerId, pageKey: { $exists: false } })).toBe(0);

    // A crash between a record write and the summary write: counts are off.
    const summary = (await readSummary({ ownerId }))!;
    await forgetSummary(ownerId);
    const { withSummary } = await import("@/lib/library");
    await withSummary(ownerId, async () => ({
      summary: { buckets: summary.buckets.map((b) => ({ ...b, n: b.n + 7, t: 0 })), trash: summary.trash!.map((b) => ({ ...b, n: b.n + 3 })) },
      result: null,
    }));
    expect(await countImages({ ownerId })).toBe(11);
    expect(await countImages({ ownerId, trashed: true })).toBe(5);
    await rebuildLibrary({ ownerId });
    expect(await countImages({ ownerId })).toBe(4);
    expect(await countImages({ ownerId, trashed: true })).toBe(2);
  });

  it("lists the trash most recently trashed first, from its own buckets: one query per trash page, however the trash is spread", async () => {
    const { ownerId, ids } = await library(BUCKET_CAPACITY + 10);
    // Trashed one at a time, every fifth photo across both timeline buckets, then ten at once.
    const spread = ids.filter((_, i) => i % 5 === 0);
    for (const id of spread) await trashImages({ ownerId, selection: { ids: [id] } });
    const together = ids.filter((_, i) => i % 5 === 1).slice(0, 10);
    await trashImages({ ownerId, selection: { ids: together } });

    const expected = [...[...together].sort().reverse(), ...[...spread].reverse()];
    expect((await walk(ownerId, { trashed: true, limit: 7 })).ids).toEqual(expected);
    const summary = (await readSummary({ ownerId }))!;
    expect(summary.trash!.map((b) => b.n)).toEqual([expected.length]);

    const seen = await readsDuring(() => listImages({ ownerId, trashed: true, limit: 60 }));
    const onImages = seen.filter((c) => c.find === "images");
    expect(onImages).toHaveLength(1);
    expect(Object.keys(onImages[0].filter).sort()).toEqual(["ownerId", "trashKey"]);

    // Restore and trash again: restored photos leave their trash bucket, and Undo-sized steps refill the head.
    await restoreImages({ ownerId, selection: { ids: spread } });
    expect((await walk(ownerId, { trashed: true })).ids).toEqual([...together].sort().reverse());
    expect(await countImages({ ownerId, trashed: true })).toBe(together.length);
    const again = await trashImages({ ownerId, selection: { all: true }, limit: BUCKET_CAPACITY });
    expect(again.done).toBe(BUCKET_CAPACITY);
    expect(await countImages({ ownerId, trashed: true })).toBe(together.length + BUCKET_CAPACITY);
    const buckets = (await readSummary({ ownerId }))!.trash!;
    expect(buckets.every((b) => b.n <= BUCKET_CAPACITY)).toBe(true);
    expect(buckets.reduce((sum, b) => sum + b.n, 0)).toBe(together.length + BUCKET_CAPACITY);
    const all = await walk(ownerId, { trashed: true, limit: 25 });
    expect(all.ids).toHaveLength(together.length + BUCKET_CAPACITY);
    expect(all.ids.slice(-together.length)).toEqual([...together].sort().reverse());

    // A library whose trashed records predate trash buckets gets them on first use.
    const db = await getDb();
    await db.collection<ImageDoc>("images").updateMany({ ownerId }, { $unset: { trashKey: "" } });
    const legacy = (await readSummary({ ownerId }))!;
    await db.collection("libraries").updateOne({ _id: ownerId } as never, { $set: { updatedAt: new Date() } });
    const { withSummary } = await import("@/lib/library");
    await withSummary(ownerId, async () => ({ summary: { buckets: legacy.buckets }, result: null }));
    expect(new Set((await walk(ownerId, { trashed: true })).ids)).toEqual(new Set(all.ids));
    expect(await db.collection<ImageDoc>("images").countDocuments({ ownerId, trashKey: { $exists: false }, trashedAt: { $ne: null } })).toBe(0);
  }, 300_000);

  it("reads the summary through its head, and sees another instance's write at once", async () => {
    const { ownerId, ids } = await library(3);
    const db = await getDb();
    const snapshot = async () => ({
      head: await db.collection("library_heads").findOne({ _id: ownerId } as never),
      doc: await db.collection("libraries").findOne({ _id: ownerId } as never),
    });
    const before = await snapshot();
    await trashImages({ ownerId, selection: { ids: [ids[0]] } });
    expect(await countImages({ ownerId })).toBe(2);
    // Another instance writes the earlier state back: this process must not keep serving its own copy.
    await db.collection("libraries").replaceOne({ _id: ownerId } as never, before.doc!);
    await db.collection("library_heads").replaceOne({ _id: ownerId } as never, before.head!);
    expect(await countImages({ ownerId })).toBe(3);
    // A write that stopped between the head and the summary: tags differ, and the summary is read each time.
    await db.collection("library_heads").updateOne({ _id: ownerId } as never, { $set: { tag: "interrupted" } });
    const seen = await readsDuring(async () => {
      expect(await countImages({ ownerId })).toBe(3);
      expect(await countImages({ ownerId })).toBe(3);
    });
    expect(seen.filter((c) => c.find === "libraries")).toHaveLength(2);
  });

  it("keeps the days of the library sealed: the summary in the database shows no date", async () => {
    const ownerId = owner();
    await uploadBytes({ ownerId, name: "dated.jpg", bytes: await makeJpeg({ width: 16, height: 12, exif: { DateTimeOriginal: "2018:03:04 05:06:07" } }) });
    const raw = await (await getDb()).collection("libraries").findOne({ _id: ownerId } as never);
    const dump = Buffer.from(BSON.serialize(raw!)).toString("latin1");
    expect(dump).not.toMatch(/2018|03-04/);
    const images = await (await getDb()).collection("images").find({ ownerId }).toArray();
    expect(Buffer.from(BSON.serialize(images[0])).toString("latin1")).not.toMatch(/2018/);
  });
});
