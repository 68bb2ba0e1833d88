import "server-only";

import type { GalleryPage } from "@/lib/gallery-types";
import { galleryItemsByIds } from "@/lib/images";
import { matchingImageIds } from "@/lib/search-index";

/** Results shown at once; "Select all" still acts on every match (resolved on the server). */
export const SEARCH_PAGE = 1000;

/**
 * The owner's images (not in the trash) matching every word of `q`, newest
 * first. Any query, of any length or characters, gives results or none.
 */
export async function searchImages({ ownerId, q, limit = SEARCH_PAGE }: { ownerId: string; q: string; limit?: number }): Promise<GalleryPage> {
  const ids = await matchingImageIds({ ownerId, q });
  const items = ids.length ? await galleryItemsByIds({ ownerId, imageIds: ids }) : [];
  return { items: items.slice(0, limit), nextCursor: null, total: items.length };
}
