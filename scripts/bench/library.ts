// The "library" bench section: per-request costs as one owner's library grows
// from 100 to 10,000 images, beside a second owner holding 20,000 in the same
// database. Every operation the issue names is timed at each size and printed
// with its ratio to the smallest size; the target is ≤ 1.5× everywhere.
import type { Db } from "mongodb";

import { getImageDetails, listImages, openImageVariant, rebuildLibrary, restoreImages, trashImages } from "@/lib/images";
import { makePng } from "@/lib/testing/fixtures";
import { PART_SIZE, beginUpload, completeUpload, putPart } from "@/lib/uploads";
import { getUsage, releaseQuota, reserveQuota } from "@/lib/usage";
import { createUser } from "@/lib/users";

import { insertCopies, makeTemplate } from "./fill";
import { envNumber, log, median, sampleMs, timed } from "./util";

type Put = (section: string, key: string, label: string, unit: string, value: number | string | null, note?: string) => void;

const S = "library";

async function consume(source: AsyncIterable<Buffer>): Promise<void> {
  for await (const piece of source) void piece;
}

export async function sectionLibrary({
  put,
  freshDatabase,
  refreshStatistics,
}: {
  put: Put;
  freshDatabase: (name: string) => Promise<Db>;
  /** PostgreSQL's planner statistics after a bulk fill (autovacuum may not have run yet). */
  refreshStatistics: () => Promise<void>;
}) {
  await freshDatabase("bench_library");
  const sizes = (process.env.BENCH_LIBRARY_SIZES ?? "100,1000").split(",").map(Number).sort((a, b) => a - b);
  const neighbour = envNumber("BENCH_LIBRARY_NEIGHBOUR", Math.max(...sizes) >= 10_000 ? 20_000 : 2_000);
  const samples = envNumber("BENCH_LIBRARY_SAMPLES", 15);
  const png = await makePng({ width: 64, height: 48 });
  const template = await makeTemplate({ bytes: png, mime: "image/png" });
  const owner = (await createUser({ username: "bench_library", displayName: "Bench", password: "bench-password-1234" })).id;
  const other = (await createUser({ username: "bench_neighbour", displayName: "Neighbour", password: "bench-password-1234" })).id;

  // The neighbour first: its records are in every table the owner's queries touch.
  const dayMs = 86_400_000;
  const fill = async (ownerId: string, count: number, startAt: Date, prefix: string) => {
    const t = await timed(async () => {
      const ids = await insertCopies({ ownerId, template, count, namePrefix: prefix, startAt });
      // Copies are written without a bucket, like records from before buckets existed: placed here.
      await rebuildLibrary({ ownerId });
      await refreshStatistics();
      return ids;
    });
    log(`  library: ${prefix} +${count} images (${(t.ms / 1000).toFixed(1)} s)`);
    return t.value;
  };
  await fill(other, neighbour, new Date(Date.now() - 2 * dayMs), "neighbour");

  const ids: string[] = [];
  const measured: Record<number, Record<string, number>> = {};
  const labels: Record<string, string> = {
    first: "gallery first page (60 items)",
    deep: "a 20-item page from the back half of the cursor walk",
    trash: "trash page (first 60 of 20 trashed)",
    viewer: "open the viewer (getImageDetails) and read its thumbnail",
    begin: "upload begin (quota reservation + record)",
    complete: "upload complete (small PNG: analysis, blobs, record, bucket)",
    trashOne: "trash one image, then restore it",
    quota: "quota check (reserve + release)",
    usage: "usage read (getUsage)",
  };

  for (const n of sizes) {
    if (ids.length < n) {
      // Older than everything so far, like a library imported from a phone: one photo a second.
      const startAt = new Date(Date.now() - 3 * dayMs - ids.length * 1000);
      ids.push(...(await fill(owner, n - ids.length, startAt, `owner${n}`)));
      // A few in the trash, always the same old ones, so the trash page has something to show.
      if (!measured[sizes[0]]) await trashImages({ ownerId: owner, selection: { ids: ids.slice(-20) } });
    }
    const m: Record<string, number> = {};
    m.first = median(await sampleMs(() => listImages({ ownerId: owner }), samples));
    // Pages deep in the walk: cursors from the back half of one walk (untimed), each timed once.
    // 20-item pages, so that the smallest library has several of them to sample.
    const cursors: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listImages({ ownerId: owner, cursor, limit: 20 });
      cursor = page.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    const deep = cursors.slice(Math.floor(cursors.length / 2), -1);
    m.deep = median(await sampleMs((i) => listImages({ ownerId: owner, cursor: deep[Math.abs(i) % deep.length], limit: 20 }), samples));
    m.trash = median(await sampleMs(() => listImages({ ownerId: owner, trashed: true }), samples));
    m.viewer = median(
      await sampleMs(async (i) => {
        const id = ids[(Math.abs(i) * 7919) % (ids.length - 20)];
        await getImageDetails({ ownerId: owner, imageId: id });
        await consume((await openImageVariant({ ownerId: owner, imageId: id, variant: "thumb" })).read());
      }, samples),
    );
    const begins: number[] = [];
    const completes: number[] = [];
    // The first round warms up (sharp, the lock collection); it is not counted.
    for (let i = -1; i < Math.min(samples, 8); i++) {
      const b = await timed(() => beginUpload({ ownerId: owner, name: `bench-${n}-${i}.png`, size: png.length }));
      await putPart({ ownerId: owner, uploadId: b.value.uploadId, index: 0, bytes: png.subarray(0, PART_SIZE) });
      const c = await timed(() => completeUpload({ ownerId: owner, uploadId: b.value.uploadId }));
      if (i >= 0) {
        begins.push(b.ms);
        completes.push(c.ms);
      }
      ids.unshift(c.value.id);
    }
    m.begin = median(begins);
    m.complete = median(completes);
    m.trashOne = median(
      await sampleMs(async (i) => {
        const id = ids[(Math.abs(i) * 104_729) % (ids.length - 20)];
        await trashImages({ ownerId: owner, selection: { ids: [id] } });
        await restoreImages({ ownerId: owner, selection: { ids: [id] } });
      }, samples),
    );
    m.quota = median(
      await sampleMs(async () => {
        await reserveQuota({ ownerId: owner, bytes: 1, measure: async () => ({ bytes: 0, count: 0 }) });
        await releaseQuota({ ownerId: owner, bytes: 1, count: 1 });
      }, samples),
    );
    m.usage = median(await sampleMs(() => getUsage({ ownerId: owner }), samples));
    measured[n] = m;
    for (const [key, label] of Object.entries(labels)) put(S, `${key}_${n}`, `${label}, ${n} images`, "ms", m[key]);
  }
  const lo = sizes[0];
  const hi = sizes[sizes.length - 1];
  for (const [key, label] of Object.entries(labels)) {
    put(S, `ratio_${key}`, `ratio ${hi} ÷ ${lo}: ${label} (target ≤ 1.5)`, "×", measured[hi][key] / measured[lo][key]);
  }
  put(S, "neighbour", "second owner's images in the same database", "count", neighbour);
}
