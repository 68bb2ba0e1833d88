// The "library" bench section: per-request costs for owners of 100, 1,000 and
// 10,000 images, beside a second owner holding 20,000 in the same database.
// Every operation the issue names is timed for each owner, side by side, and
// printed with its ratio to the smallest library; the target is ≤ 1.5×.
import type { Db } from "mongodb";

import { listImages, rebuildLibrary } from "@/lib/image-listing";
import { getImageDetails, openImageVariant } from "@/lib/images";
import { restoreImages, trashImages } from "@/lib/image-selection";
import { makePng } from "@/lib/testing/fixtures";
import { completeUpload } from "@/lib/upload-completion";
import { PART_SIZE, beginUpload, putPart } from "@/lib/uploads";
import { getUsage, releaseQuota, reserveQuota } from "@/lib/usage";
import { createUser } from "@/lib/users";

import { insertCopies, makeTemplate } from "./fill";
import { envNumber, log, median, timed } from "./util";

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
  const other = (await createUser({ username: "bench_neighbour", displayName: "Neighbour", password: "bench-password-1234" })).id;

  // The neighbour first: its records are in every table the owners' queries touch.
  const dayMs = 86_400_000;
  const fill = async (ownerId: string, count: number, startAt: Date, prefix: string) => {
    const t = await timed(async () => {
      const ids = await insertCopies({ ownerId, template, count, namePrefix: prefix, startAt });
      // Copies are written without a bucket, like records from before buckets existed: placed here.
      await rebuildLibrary({ ownerId });
      return ids;
    });
    log(`  library: ${prefix} +${count} images (${(t.ms / 1000).toFixed(1)} s)`);
    return t.value;
  };
  await fill(other, neighbour, new Date(Date.now() - 2 * dayMs), "neighbour");

  // One owner per size, all in the database at once, and every operation sampled round-robin
  // across them: each ratio compares samples taken side by side, so the machine's drift (a
  // vacuum, a neighbour's job) lands on every size alike. Measuring one size after another
  // made the 1,000-image column slower than the 10,000 one in a quiet run.
  const owners: { n: number; ownerId: string; ids: string[] }[] = [];
  for (const n of sizes) {
    const ownerId = (await createUser({ username: `bench_library_${n}`, displayName: "Bench", password: "bench-password-1234" })).id;
    // Older than the neighbour's, like a library imported from a phone: one photo a second.
    const ids = await fill(ownerId, n, new Date(Date.now() - 3 * dayMs - n * 1000), `owner${n}`);
    // A few in the trash, always the same old ones, so the trash page has something to show.
    await trashImages({ ownerId, selection: { ids: ids.slice(-20) } });
    owners.push({ n, ownerId, ids });
  }
  await refreshStatistics();

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
  const measured: Record<number, Record<string, number[]>> = Object.fromEntries(sizes.map((n) => [n, {}]));
  const record = (n: number, key: string, ms: number) => (measured[n][key] ??= []).push(ms);

  // Pages deep in the walk: cursors from the back half of one walk per owner (untimed).
  // 20-item pages, so that the smallest library has several of them to sample.
  const deepCursors = new Map<number, string[]>();
  for (const { n, ownerId } of owners) {
    const cursors: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listImages({ ownerId, cursor, limit: 20 });
      cursor = page.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    deepCursors.set(n, cursors.slice(Math.floor(cursors.length / 2), -1));
  }

  const round = async (i: number, { ownerId, n, ids }: (typeof owners)[number]) => {
    const time = async (key: string, fn: () => Promise<unknown>) => {
      const t = await timed(fn);
      if (i >= 0) record(n, key, t.ms);
    };
    await time("first", () => listImages({ ownerId }));
    const deep = deepCursors.get(n)!;
    await time("deep", () => listImages({ ownerId, cursor: deep[Math.abs(i) % deep.length], limit: 20 }));
    await time("trash", () => listImages({ ownerId, trashed: true }));
    const id = ids[(Math.abs(i) * 7919) % (ids.length - 20)];
    await time("viewer", async () => {
      await getImageDetails({ ownerId, imageId: id });
      await consume((await openImageVariant({ ownerId, imageId: id, variant: "thumb" })).read());
    });
    const b = await timed(() => beginUpload({ ownerId, name: `bench-${n}-${i}.png`, size: png.length }));
    if (i >= 0) record(n, "begin", b.ms);
    await putPart({ ownerId, uploadId: b.value.uploadId, index: 0, bytes: png.subarray(0, PART_SIZE) });
    await time("complete", () => completeUpload({ ownerId, uploadId: b.value.uploadId }));
    const other = ids[(Math.abs(i) * 104_729) % (ids.length - 20)];
    await time("trashOne", async () => {
      await trashImages({ ownerId, selection: { ids: [other] } });
      await restoreImages({ ownerId, selection: { ids: [other] } });
    });
    await time("quota", async () => {
      await reserveQuota({ ownerId, bytes: 1, measure: async () => ({ bytes: 0, count: 0 }) });
      await releaseQuota({ ownerId, bytes: 1, count: 1 });
    });
    await time("usage", () => getUsage({ ownerId }));
  };
  // Round -1 warms up (sharp, the lock collection) and is not counted; the order of owners turns each round.
  for (let i = -1; i < samples; i++) {
    for (let k = 0; k < owners.length; k++) await round(i, owners[(k + Math.max(0, i)) % owners.length]);
  }
  for (const { n } of owners) {
    for (const [key, label] of Object.entries(labels)) put(S, `${key}_${n}`, `${label}, ${n} images`, "ms", median(measured[n][key]));
  }
  const lo = sizes[0];
  const hi = sizes[sizes.length - 1];
  for (const [key, label] of Object.entries(labels)) {
    put(S, `ratio_${key}`, `ratio ${hi} ÷ ${lo}: ${label} (target ≤ 1.5)`, "×", median(measured[hi][key]) / median(measured[lo][key]));
  }
  put(S, "neighbour", "second owner's images in the same database", "count", neighbour);
}
