// Drives share links the way a visitor's browser does, for the owner-side and visitor-side tests.
import { randomInt } from "node:crypto";

import { expect } from "vitest";

import { type Visitor, listSharedItems, openSharePage, openSharedVariant, openSharedZip } from "@/lib/share-visitors";
import { makeJpeg } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

export const address = () => `10.${randomInt(255)}.${randomInt(255)}.${randomInt(255)}`;
const EXIF = { Make: "Acme", Model: "Snapper 9", DateTimeOriginal: "2024:05:06 07:08:09", gps: { latitude: 48.8584, longitude: 2.2945 } };
export const OPTIONS = { expires: { choice: "never" as const }, allowDownload: true, includeMeta: false, hideNames: false };

export async function collect(gen: AsyncGenerator<Buffer>) {
  const parts: Buffer[] = [];
  for await (const p of gen) parts.push(p);
  return Buffer.concat(parts);
}

export async function photos(ownerId: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = await makeJpeg({ width: 48 + i, height: 32, exif: EXIF, colors: ["#336699", "#996633"] });
    ids.push((await uploadBytes({ ownerId, name: `holiday-${i}.jpg`, bytes })).id);
  }
  return ids;
}

/** Every URL a visitor can derive from a share, as calls: they must all pass or all fail the same check. */
export function derived(visitor: Visitor, itemId: string) {
  return {
    thumb: () => openSharedVariant({ ...visitor, itemId, variant: "thumb" }).then((v) => collect(v.body)),
    preview: () => openSharedVariant({ ...visitor, itemId, variant: "preview" }).then((v) => collect(v.body)),
    original: () => openSharedVariant({ ...visitor, itemId, variant: "original", download: true }).then((v) => collect(v.body)),
    zip: () => openSharedZip(visitor).then((z) => collect(z.body)),
    list: () => listSharedItems({ ...visitor, offset: 0 }),
  };
}

export async function expectAll(calls: Record<string, () => Promise<unknown>>, code: string) {
  for (const [name, call] of Object.entries(calls)) {
    await expect(call(), name).rejects.toMatchObject({ code });
  }
}

export async function firstItem(visitor: Visitor) {
  const entry = await openSharePage(visitor);
  if (entry.locked) throw new Error("locked");
  return entry.view.page.items[0];
}
