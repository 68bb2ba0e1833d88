import "server-only";

import { detectInImage } from "@/lib/analysis-pool";
import { type Characteristics, MODEL_NAME, characterise, measurePixels, modelInput, searchTermsOf } from "@/lib/characteristics";
import { openJson, sealJson, toBuffer } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import type { ImageCharacteristics, ImageDetails } from "@/lib/gallery-types";
import { type ImageDoc, dekOf, findImageRecord, getImageDetails, openImageVariant, openMeta } from "@/lib/images";
import { indexImage } from "@/lib/search-index";

/**
 * An image's characteristics, sealed under its own data key like its
 * metadata (AAD `imageId#traits ‖ "meta"`, so the two cannot be swapped), in
 * a record of their own: the image record is never rewritten by analysis,
 * which on FerretDB could lose a concurrent trash or restore.
 */

type TraitsDoc = { _id: string; ownerId: string; nonce: Buffer; sealed: Buffer; createdAt: Date };

async function traitsColl() {
  return (await getDb()).collection<TraitsDoc>("image_traits");
}

const sealId = (imageId: string) => `${imageId}#traits`;

async function readAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * Analyses one stored image (its upright preview, at most 1600 px) and stores
 * the sealed result and its search postings. Returns null when the image no
 * longer exists: its job is simply dropped.
 */
export async function analyseStoredImage({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<Characteristics | null> {
  const doc = await findImageRecord({ ownerId, imageId });
  if (!doc) return null;
  const preview = await openImageVariant({ ownerId, imageId, variant: "preview", inTrash: doc.trashedAt !== null });
  const image = await readAll(preview.read());
  const meta = openMeta(doc);
  const [pixels, input] = await Promise.all([measurePixels({ image }), modelInput({ image })]);
  const detection = await detectInImage(input);
  const traits = characterise({ width: doc.width, height: doc.height, mime: doc.mime, meta, pixels, detection });
  await storeTraits({ doc, traits });
  await indexImage({ ownerId, imageId, terms: searchTermsOf({ meta, traits }) });
  return traits;
}

/** Seals and stores an image's characteristics, replacing any earlier ones (its search postings are separate). */
export async function storeTraits({ doc, traits }: { doc: ImageDoc; traits: Characteristics }): Promise<void> {
  const { nonce, sealed } = sealJson({ dek: dekOf(doc), imageId: sealId(doc._id), value: traits });
  await (await traitsColl()).replaceOne(
    { _id: doc._id },
    { ownerId: doc.ownerId, nonce, sealed, createdAt: new Date() },
    { upsert: true },
  );
}

/** The stored characteristics of an owner's image, or null while it waits for analysis. */
export async function readTraits({ doc }: { doc: ImageDoc }): Promise<Characteristics | null> {
  const row = await (await traitsColl()).findOne({ _id: doc._id, ownerId: doc.ownerId });
  if (!row) return null;
  return openJson({ dek: dekOf(doc), imageId: sealId(doc._id), nonce: toBuffer(row.nonce), sealed: toBuffer(row.sealed) }) as Characteristics;
}

export async function getTraits({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<Characteristics | null> {
  const doc = await findImageRecord({ ownerId, imageId });
  return doc ? readTraits({ doc }) : null;
}

export async function deleteTraits({ imageIds }: { imageIds: string[] }): Promise<void> {
  if (imageIds.length) await (await traitsColl()).deleteMany({ _id: { $in: imageIds } });
}

/** The viewer's details of an owner's image, with what analysis found (null while it waits). */
export async function getImageOverview({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<ImageDetails> {
  const details = await getImageDetails({ ownerId, imageId });
  const traits = await getTraits({ ownerId, imageId });
  return { ...details, characteristics: traits ? toView(traits) : null };
}

function toView(t: Characteristics): ImageCharacteristics {
  const { labels, faces, colours, orientation, megapixels, animated, transparent, sharpness, blurry, brightness, dark, screenshot } = t;
  return { labels, faces, colours, orientation, megapixels, animated, transparent, sharpness, blurry, brightness, dark, screenshot, sensitive: t.sensitive ?? null };
}

/** Every analysed image of an owner with its characteristics (the duplicates page). Linear in the library. */
export async function listOwnerTraits({ ownerId }: { ownerId: string }): Promise<{ imageId: string; traits: Characteristics }[]> {
  const rows = await (await traitsColl()).find({ ownerId }).toArray();
  const out: { imageId: string; traits: Characteristics }[] = [];
  for (const row of rows) {
    const doc = await findImageRecord({ ownerId, imageId: row._id });
    if (!doc || doc.trashedAt !== null) continue;
    out.push({ imageId: row._id, traits: openJson({ dek: dekOf(doc), imageId: sealId(doc._id), nonce: toBuffer(row.nonce), sealed: toBuffer(row.sealed) }) as Characteristics });
  }
  return out;
}

/** Up to this many ids are read one by one; past it, one pass over the owner's rows is cheaper. */
const POINT_READS = 64;

/**
 * Which of these images of the owner analysis flagged sensitive. The flag is
 * inside the sealed characteristics, so each candidate is opened with its own
 * key: a share of N images costs about N point reads (or one pass over the
 * owner's characteristics for large selections, plus a read per image found).
 * Images not analysed yet, or analysed before the flag existed, count as not
 * flagged: sharing them asks nothing, as before.
 */
export async function sensitiveAmong({ ownerId, imageIds }: { ownerId: string; imageIds: string[] }): Promise<string[]> {
  const coll = await traitsColl();
  const wanted = new Set(imageIds);
  const rows: TraitsDoc[] = [];
  if (wanted.size <= POINT_READS) {
    for (const row of await Promise.all([...wanted].map((_id) => coll.findOne({ _id, ownerId })))) if (row) rows.push(row);
  } else {
    for await (const row of coll.find({ ownerId })) if (wanted.has(row._id)) rows.push(row);
  }
  const flagged: string[] = [];
  for (let i = 0; i < rows.length; i += POINT_READS) {
    await Promise.all(
      rows.slice(i, i + POINT_READS).map(async (row) => {
        const doc = await findImageRecord({ ownerId, imageId: row._id });
        if (!doc) return;
        const traits = openJson({ dek: dekOf(doc), imageId: sealId(doc._id), nonce: toBuffer(row.nonce), sealed: toBuffer(row.sealed) }) as Characteristics;
        if (traits.sensitive) flagged.push(doc._id);
      }),
    );
  }
  return flagged;
}

/**
 * Images whose characteristics came from older models than MODEL_NAME (before
 * the sensitive-content flag, say): the backfill analyses them again. Opens
 * every record with its image's key: one pass plus a point read per image.
 */
export async function outdatedImageRefs(): Promise<{ id: string; ownerId: string }[]> {
  const out: { id: string; ownerId: string }[] = [];
  for await (const row of (await traitsColl()).find({})) {
    const doc = await findImageRecord({ ownerId: row.ownerId, imageId: row._id });
    if (!doc) continue;
    const traits = openJson({ dek: dekOf(doc), imageId: sealId(doc._id), nonce: toBuffer(row.nonce), sealed: toBuffer(row.sealed) }) as Characteristics;
    if (traits.model !== MODEL_NAME) out.push({ id: doc._id, ownerId: doc.ownerId });
  }
  return out;
}

/** Ids of images that have characteristics (the backfill skips them). */
export async function analysedImageIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const row of (await traitsColl()).find({}, { projection: { _id: 1 } })) ids.add(row._id);
  return ids;
}

/**
 * Rebuilds an image's search postings from its sealed metadata and
 * characteristics, under the current search key (after a search-key rotation).
 */
export async function reindexStoredImage({ ownerId, imageId }: { ownerId: string; imageId: string }): Promise<boolean> {
  const doc = await findImageRecord({ ownerId, imageId });
  if (!doc) return false;
  await indexImage({ ownerId, imageId, terms: searchTermsOf({ meta: openMeta(doc), traits: await readTraits({ doc }) }) });
  return true;
}
