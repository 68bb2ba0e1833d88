// Section "share" (issue 12): a share link's public page at a 1,000-image
// album beside the owner's own gallery first load, over real HTTP to
// `next start`; then a share's "Download all" zip (metadata stripped, sizes
// measured) beside the owner's zip of the same originals, in process, with RSS.
import path from "node:path";

import { createAlbum } from "@/lib/albums";
import { createDownloadToken, openZipDownload } from "@/lib/downloads";
import { openSharedZip } from "@/lib/share-visitors";
import { createShare } from "@/lib/shares";
import { createUser } from "@/lib/users";
import { uploadBytes } from "@/lib/testing/upload-helper";

import { insertCopies, makeTemplate } from "./fill";
import { signIn, startApp } from "./http";
import { consume, noiseDims, noiseJpeg } from "./noise";
import { MiB, type SectionContext, envNumber, log, median, mibps, now, withRssSampling } from "./util";

const PASSWORD = "bench-password-1234";
const SHARE_OPTIONS = { expires: { choice: "never" as const }, allowDownload: true, includeMeta: false, hideNames: false };

async function timedGet(url: string, cookie?: string): Promise<number> {
  const t0 = now();
  const res = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 200)}`);
  return now() - t0;
}

export async function sectionShare(ctx: SectionContext) {
  const S = "share";
  const albumSize = Math.round(envNumber("BENCH_SHARE_ALBUM", 1000));
  const reps = Math.round(envNumber("BENCH_SHARE_REPS", 15));
  await ctx.freshDatabase(null);
  const user = await createUser({ username: "bench_share", displayName: "Bench Owner", password: PASSWORD });
  const ownerId = user.id;
  const small = await noiseJpeg({ width: 320, height: 240 });
  const template = await makeTemplate({ bytes: small, mime: "image/jpeg" });
  const fill = await insertCopies({ ownerId, template, count: albumSize, namePrefix: "album" });
  const album = await createAlbum({ ownerId, title: "Bench album", selection: { ids: fill } });
  const { token } = await createShare({ ownerId, scope: { albumId: album.id }, options: SHARE_OPTIONS });
  log(`  share: ${albumSize} images in one album, shared`);

  const appDir = process.env.BENCH_APP_DIR || process.cwd();
  const app = await startApp({ appDir, logFile: path.join(process.cwd(), "bench-results", `next-share-${ctx.engineShort}.log`) });
  try {
    const cookie = await signIn({ baseUrl: app.baseUrl, username: "bench_share", password: PASSWORD });
    const gallery = `${app.baseUrl}/`;
    const shared = `${app.baseUrl}/s/${token}`;
    // Warm-up: the first requests compile nothing but load the page bundles and caches.
    for (let i = 0; i < 2; i++) {
      await timedGet(gallery, cookie);
      await timedGet(shared);
    }
    const owner: number[] = [];
    const visitor: number[] = [];
    // Interleaved, so a neighbour's load lands on both sides alike.
    for (let i = 0; i < reps; i++) {
      owner.push(await timedGet(gallery, cookie));
      visitor.push(await timedGet(shared));
    }
    const ownerMs = median(owner);
    const visitorMs = median(visitor);
    ctx.put(S, "gallery_ms", `owner's gallery first load (GET /, ${albumSize} images in the library)`, "ms", ownerMs, `${reps} samples, median`);
    ctx.put(S, "public_ms", `public page first load (GET /s/<token>, ${albumSize}-image album)`, "ms", visitorMs, `${reps} samples, median`);
    ctx.put(S, "page_ratio", "ratio: public page ÷ owner's gallery", "×", visitorMs / ownerMs);
  } finally {
    await app.stop();
  }

  // The zip: a second owner with large originals, zipped by the owner and through a share.
  const count = Math.max(1, Math.round(envNumber("BENCH_SHARE_ZIP_IMAGES", 16)));
  const totalMiB = envNumber("BENCH_SHARE_ZIP_MIB", 128);
  const zipOwner = (await createUser({ username: "bench_share_zip", displayName: "Bench", password: PASSWORD })).id;
  const original = await noiseJpeg(noiseDims(totalMiB / count));
  const zipTemplate = await makeTemplate({ bytes: original, mime: "image/jpeg" });
  const real = await uploadBytes({ ownerId: zipOwner, name: "real-0.jpg", bytes: original });
  const ids = [real.id, ...(count > 1 ? await insertCopies({ ownerId: zipOwner, template: zipTemplate, count: count - 1, namePrefix: "zip" }) : [])];
  const share = await createShare({ ownerId: zipOwner, scope: { selection: { ids } }, options: SHARE_OPTIONS });
  ctx.put(S, "zip_images", "images in the zips", "count", count, `${(original.length / MiB).toFixed(2)} MiB noise JPEG each, ${((original.length * count) / MiB).toFixed(0)} MiB in all`);

  const ownerZip = async () => {
    const { token: t } = await createDownloadToken({ ownerId: zipOwner, selection: { ids } });
    const t0 = now();
    const zip = await openZipDownload({ ownerId: zipOwner, token: t });
    const n = await consume(zip.body);
    if (n !== zip.contentLength) throw new Error(`owner zip: ${n} bytes, Content-Length said ${zip.contentLength}`);
    return { bytes: n, ms: now() - t0 };
  };
  const sharedZip = async () => {
    const t0 = now();
    const zip = await openSharedZip({ token: share.token, address: "127.0.0.1" });
    const n = await consume(zip.body);
    if (n !== zip.contentLength) throw new Error(`share zip: ${n} bytes, Content-Length said ${zip.contentLength}`);
    return { bytes: n, ms: now() - t0 };
  };
  // Cold: the first share zip measures every stripped size (one extra read of each original, kept for later).
  const cold = await withRssSampling(sharedZip);
  // Then alternated, twice each, the faster run of each side kept: a neighbour's load lands on both alike.
  const owners = [];
  const shares = [];
  for (let i = 0; i < 2; i++) {
    owners.push(await withRssSampling(ownerZip));
    shares.push(await withRssSampling(sharedZip));
  }
  const fastest = <T extends { value: { ms: number } }>(runs: T[]) => runs.reduce((a, b) => (b.value.ms < a.value.ms ? b : a));
  const ownerRun = fastest(owners);
  const warm = fastest(shares);
  const ownerRate = mibps(ownerRun.value.bytes, ownerRun.value.ms);
  const warmRate = mibps(warm.value.bytes, warm.value.ms);
  const coldRate = mibps(cold.value.bytes, cold.value.ms);
  ctx.put(S, "owner_zip_rate", "owner's zip (openZipDownload), faster of 2", "MiB/s", ownerRate, `${(ownerRun.value.ms / 1000).toFixed(1)} s`);
  ctx.put(S, "share_zip_rate", "share zip, sizes known (metadata stripped while streaming), faster of 2", "MiB/s", warmRate, `${(warm.value.ms / 1000).toFixed(1)} s`);
  ctx.put(S, "share_zip_cold_rate", "share zip, first time (measures each stripped size first)", "MiB/s", coldRate, `${(cold.value.ms / 1000).toFixed(1)} s`);
  ctx.put(S, "zip_ratio", "ratio: share zip ÷ owner's zip (target ≥ 0.9)", "×", warmRate / ownerRate);
  ctx.put(S, "zip_cold_ratio", "ratio: first share zip ÷ owner's zip", "×", coldRate / ownerRate);
  ctx.put(S, "rss_growth_owner", "peak RSS growth, owner's zip (largest of its runs)", "MiB", Math.max(...owners.map((r) => r.rssGrowthMiB)));
  ctx.put(S, "rss_growth_share", "peak RSS growth, share zip (largest of its runs)", "MiB", Math.max(...shares.map((r) => r.rssGrowthMiB)));
  ctx.put(S, "rss_growth_share_cold", "peak RSS growth, first share zip", "MiB", cold.rssGrowthMiB);
}
