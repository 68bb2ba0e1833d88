import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { closeAnalysisPool } from "@/lib/analysis-pool";
import { analysisStates, backoffMs, drainAnalysisQueue, enqueueAnalysis, runAnalysisCron } from "@/lib/analysis-queue";
import { MODEL_NAME } from "@/lib/characteristics";
import { getDb } from "@/lib/db";
import { deleteImagesForever, findImageRecord } from "@/lib/images";
import { trashImages } from "@/lib/image-selection";
import { getTraits, outdatedImageRefs, storeTraits } from "@/lib/image-traits";
import { tryLock } from "@/lib/locks";
import { makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const owner = () => randomBytes(12).toString("hex");
const photo = (name: string) => readFile(path.join(import.meta.dirname, "testing/photos", name));

afterAll(closeAnalysisPool);

async function job(imageId: string) {
  return (await getDb()).collection<{ _id: string; attempts: number; runAfter: Date; lastError?: string }>("analysis_jobs").findOne({ _id: imageId });
}

describe("analysis queue", () => {
  it("queues a job when an upload completes; a drain analyses it, seals the result and removes the job", async () => {
    const ownerId = owner();
    const item = await uploadBytes({ ownerId, name: "cat.jpg", bytes: await photo("cat.jpg") });
    expect(await job(item.id)).not.toBeNull();
    expect((await analysisStates({ ownerId })).get(item.id)).toBe("pending");

    const result = await drainAnalysisQueue({ ownerId });
    expect(result).toMatchObject({ analysed: 1, failed: 0 });
    expect(await job(item.id)).toBeNull();
    expect((await analysisStates({ ownerId })).size).toBe(0);
    const traits = await getTraits({ ownerId, imageId: item.id });
    expect(traits).toMatchObject({ orientation: "landscape", animated: false, transparent: false });
    expect(traits?.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(traits?.labels.length).toBeGreaterThan(0);
    // Sealed: nothing of it in clear in the stored record.
    const row = await (await getDb()).collection<{ _id: string }>("image_traits").findOne({ _id: item.id });
    expect(JSON.stringify(row)).not.toMatch(/landscape|phash|labels/);
    // Another owner cannot read them.
    expect(await getTraits({ ownerId: owner(), imageId: item.id })).toBeNull();
  });

  it("characteristics from older models (no sensitive-content flag) are found for the backfill and redone", async () => {
    const ownerId = owner();
    const item = await uploadBytes({ ownerId, name: "coffee.jpg", bytes: await photo("coffee.jpg") });
    await drainAnalysisQueue({ ownerId });
    const fresh = await getTraits({ ownerId, imageId: item.id });
    expect(fresh).toMatchObject({ model: MODEL_NAME, sensitive: false });
    expect(fresh?.sensitiveScore).toBeLessThan(0.5);
    expect((await outdatedImageRefs()).map((r) => r.id)).not.toContain(item.id);
    // As stored before nsfwjs was added.
    const doc = await findImageRecord({ ownerId, imageId: item.id });
    const { sensitive: _s, sensitiveScore: _score, ...older } = fresh!;
    await storeTraits({ doc: doc!, traits: { ...older, model: "human-3.3.6/centernet+blazeface" } });
    expect((await getTraits({ ownerId, imageId: item.id }))?.sensitive).toBeUndefined();
    expect(await outdatedImageRefs()).toContainEqual({ id: item.id, ownerId });
    // What the backfill does with each of them.
    await enqueueAnalysis({ ownerId, imageId: item.id });
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 1, failed: 0 });
    expect(await getTraits({ ownerId, imageId: item.id })).toMatchObject({ model: MODEL_NAME, sensitive: false });
  });

  it("skips a job leased by another instance, and takes it once the lease is gone", async () => {
    const ownerId = owner();
    const item = await uploadBytes({ ownerId, name: "a.png", bytes: await makePng({ width: 80, height: 60 }) });
    const lease = await tryLock({ name: `analysis:${item.id}`, ttlMs: 60_000 });
    expect(lease).not.toBeNull();
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 0, failed: 0 });
    expect(await job(item.id)).not.toBeNull();
    await lease?.release();
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 1 });
  });

  it("two drains at once analyse an image once", async () => {
    const ownerId = owner();
    const item = await uploadBytes({ ownerId, name: "b.png", bytes: await makePng({ width: 90, height: 60 }) });
    const [a, b] = await Promise.all([drainAnalysisQueue({ ownerId }), drainAnalysisQueue({ ownerId })]);
    expect(a.analysed + b.analysed).toBe(1);
    expect(await getTraits({ ownerId, imageId: item.id })).not.toBeNull();
  });

  it("a failure is recorded with backoff, shown as failed, retried when due, and survives a restart (the job is data)", async () => {
    const ownerId = owner();
    const item = await uploadBytes({ ownerId, name: "c.png", bytes: await makePng({ width: 64, height: 64 }) });
    // Break the stored preview's reference: the drain cannot read it.
    const images = (await getDb()).collection<{ _id: string; blobs: { preview: { size: number } } }>("images");
    const saved = await images.findOne({ _id: item.id });
    await images.updateOne({ _id: item.id }, { $set: { "blobs.preview.size": 1 } });
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 0, failed: 1 });
    const failed = await job(item.id);
    expect(failed?.attempts).toBe(1);
    expect(failed?.lastError).toBeTruthy();
    expect(failed!.runAfter.getTime()).toBeGreaterThan(Date.now() + backoffMs(1) - 5_000);
    expect((await analysisStates({ ownerId })).get(item.id)).toBe("failed");
    // Not due yet: left alone.
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 0, failed: 0 });
    // Repaired and due: the next drain (any process, any time later) finishes it.
    await images.updateOne({ _id: item.id }, { $set: { "blobs.preview.size": saved!.blobs.preview.size } });
    await (await getDb()).collection<{ _id: string }>("analysis_jobs").updateOne({ _id: item.id }, { $set: { runAfter: new Date(0) } });
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 1 });
    expect(backoffMs(1)).toBeLessThan(backoffMs(2));
    expect(backoffMs(50)).toBe(6 * 3600_000);
  });

  it("drops the job of an image deleted forever, and analyses trashed images too", async () => {
    const ownerId = owner();
    const gone = await uploadBytes({ ownerId, name: "d.png", bytes: await makePng({ width: 64, height: 64 }) });
    const trashed = await uploadBytes({ ownerId, name: "e.png", bytes: await makePng({ width: 64, height: 64 }) });
    await trashImages({ ownerId, selection: { ids: [gone.id, trashed.id] } });
    await deleteImagesForever({ ownerId, imageIds: [gone.id] });
    expect(await job(gone.id)).toBeNull();
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ analysed: 1 });
    await enqueueAnalysis({ ownerId, imageId: "00000000-0000-4000-8000-000000000000" });
    expect(await drainAnalysisQueue({ ownerId })).toMatchObject({ dropped: 1 });
  });

  it("the cron entry point needs the bearer secret", async () => {
    process.env.CRON_SECRET = "s3cret-for-tests";
    await expect(runAnalysisCron({ authorization: null })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(runAnalysisCron({ authorization: "Bearer wrong" })).rejects.toMatchObject({ code: "unauthorized" });
    await expect(runAnalysisCron({ authorization: "Bearer s3cret-for-tests" })).resolves.toMatchObject({ failed: 0 });
    delete process.env.CRON_SECRET;
    await expect(runAnalysisCron({ authorization: "Bearer " })).rejects.toMatchObject({ code: "unauthorized" });
  });
});
