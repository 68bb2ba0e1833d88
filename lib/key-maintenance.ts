import "server-only";

import { getDb } from "@/lib/db";
import { imageDekHolder } from "@/lib/images";
import { type DekHolder, type RotateProgress, ensureKeyCheck, rotateKeys } from "@/lib/keys";
import { ownerKeyDekHolder } from "@/lib/owner-keys";
import { uploadDekHolder } from "@/lib/upload-records";

/**
 * The key lifecycle across the whole database: which collections hold wrapped
 * data keys (each module describes its own documents), the start-up key check
 * over all of them, and rotation. lib/keys.ts does the cryptography and knows
 * no collection; a module that starts storing wrapped keys adds its holder here.
 */
export const DEK_HOLDERS: readonly DekHolder[] = [imageDekHolder, uploadDekHolder, ownerKeyDekHolder];

let checked: Promise<void> | undefined;

/**
 * The gate every entry point passes (actions, routes, pages, start-up): once per
 * process, IMAGE_KEYS must match the keys that encrypted this database, so a
 * mistyped key fails loudly instead of writing data nobody can open later. A
 * failure is logged and retried by the next request.
 */
export function keysReady(): Promise<void> {
  checked ??= (async () => ensureKeyCheck({ db: await getDb(), holders: DEK_HOLDERS }))().catch((err) => {
    checked = undefined;
    console.error(`[keys] ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  });
  return checked;
}

/** `npm run keys:rotate`: every holder's keys rewrapped under the primary key, resumably. */
export async function rotateAllKeys({
  batchSize,
  onProgress,
}: {
  batchSize?: number;
  onProgress?: (progress: RotateProgress) => void | Promise<void>;
} = {}): Promise<{ rewrapped: number }> {
  return rotateKeys({ db: await getDb(), holders: DEK_HOLDERS, batchSize, onProgress });
}
