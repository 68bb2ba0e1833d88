import "server-only";

import { getDb } from "@/lib/db";

/**
 * Everything derived from an image by analysis (sealed characteristics, search
 * postings, a queued job), removed with the image. Plain deletes by image id,
 * so lib/images.ts can call it without depending on the analysis modules.
 */
export async function forgetDerivedData({ imageIds }: { imageIds: string[] }): Promise<void> {
  if (imageIds.length === 0) return;
  const db = await getDb();
  await Promise.all([
    db.collection<{ _id: string }>("image_traits").deleteMany({ _id: { $in: imageIds } }),
    db.collection<{ _id: string }>("analysis_jobs").deleteMany({ _id: { $in: imageIds } }),
    ...imageIds.map((imageId) => db.collection("search_postings").deleteMany({ imageId })),
    ...imageIds.map((imageId) => db.collection("content_hashes").deleteMany({ imageId })),
  ]);
}
