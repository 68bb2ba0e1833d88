// Analyses every image that has no characteristics yet, or has them from older
// models than lib/characteristics.ts's MODEL_NAME (README, "Characteristics and search").
//
//   npm run analyze:backfill               queue what is missing, then drain the queue
//   npm run analyze:backfill -- --reindex  also rebuild every image's search postings
//                                           (after a search-key rotation)
//
// Resumable: the queue is in the database and every step is idempotent, so it
// can be killed at any point and run again; it carries on where it stopped.
// Safe beside a running server: jobs are leased, so no image is analysed twice at once.
import { closeAnalysisPool, warmAnalysisPool } from "@/lib/analysis-pool";
import { drainAnalysisQueue, enqueueUnanalysed, pendingAnalysisCount } from "@/lib/analysis-queue";
import { closeDb } from "@/lib/db";
import { allImageRefs } from "@/lib/images";
import { reindexStoredImage } from "@/lib/image-traits";

function bar(done: number, total: number, started: number): string {
  const width = 30;
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
  const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${(share * 100).toFixed(0)}%  ${rate.toFixed(1)}/s  eta ${eta}s`;
}

async function main() {
  const { images, queued, outdated } = await enqueueUnanalysed();
  const total = await pendingAnalysisCount();
  console.log(`${images} image(s); ${queued} without characteristics and ${outdated} from older models queued now; ${total} job(s) in the queue.`);
  const { loadMs } = await warmAnalysisPool();
  console.log(`Models loaded in ${loadMs} ms.`);
  const started = Date.now();
  let done = 0;
  let failed = 0;
  for (;;) {
    const r = await drainAnalysisQueue({
      budgetMs: 60_000,
      onProgress: (p) => process.stderr.write(`\r${bar(done + p.analysed + p.dropped + p.failed, total, started)}  failed ${failed + p.failed}`),
    });
    done += r.analysed + r.dropped + r.failed;
    failed += r.failed;
    if (r.analysed + r.dropped + r.failed === 0) break;
  }
  process.stderr.write("\n");
  const left = await pendingAnalysisCount();
  console.log(`Done: ${done - failed} analysed, ${failed} failed (retried later with backoff), ${left} job(s) left (failed, leased elsewhere, or not yet due).`);

  if (process.argv.includes("--reindex")) {
    const refs = await allImageRefs();
    const t0 = Date.now();
    let n = 0;
    for (const ref of refs) {
      await reindexStoredImage({ ownerId: ref.ownerId, imageId: ref.id });
      n++;
      if (n % 20 === 0 || n === refs.length) process.stderr.write(`\rreindex ${bar(n, refs.length, t0)}`);
    }
    process.stderr.write("\n");
    console.log(`Search postings rebuilt for ${n} image(s).`);
  }
}

main()
  .then(async () => {
    await closeAnalysisPool();
    await closeDb();
  })
  .catch(async (err) => {
    console.error(`analyze:backfill failed: ${err instanceof Error ? err.message : err}`);
    await closeAnalysisPool().catch(() => {});
    await closeDb().catch(() => {});
    process.exit(1);
  });
