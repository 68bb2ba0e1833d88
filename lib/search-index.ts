import "server-only";

import { createHmac } from "node:crypto";

import { getDb } from "@/lib/db";
import { ownerKey } from "@/lib/owner-keys";
import { wordsOf } from "@/lib/characteristics";

/**
 * A blind inverted index. A term ("dog", "june", "holi") is stored only as a
 * token: HMAC-SHA-256 under the owner's search key (HKDF from the owner's
 * root key, itself wrapped under the master key), truncated to 96 bits. One
 * posting per (token, image), looked up by plain equality on `key` =
 * `ownerId:token`, the only kind of query FerretDB pushes down to an index.
 * What a dump reveals: which of one owner's images share a term and how many
 * terms each has, never the term itself (README, "Search").
 */

type PostingDoc = { _id: string; key: string; imageId: string; ownerId: string };

/** Words per query; more are ignored (each costs one indexed lookup). */
const MAX_QUERY_WORDS = 8;
const MAX_WORD = 40;

async function postings() {
  return (await getDb()).collection<PostingDoc>("search_postings");
}

function tokenOf(key: Buffer, term: string): string {
  return createHmac("sha256", key).update(`term\0${term}`).digest().subarray(0, 12).toString("base64url");
}

/** Replaces an image's postings with `terms`. Idempotent: reindexing the same terms changes nothing. */
export async function indexImage({ ownerId, imageId, terms }: { ownerId: string; imageId: string; terms: string[] }): Promise<void> {
  const coll = await postings();
  const key = await ownerKey({ ownerId, purpose: "search" });
  const wanted = new Map<string, string>(
    terms.map((t) => {
      const k = `${ownerId}:${tokenOf(key, t)}`;
      return [`${k}:${imageId}`, k];
    }),
  );
  const existing = await coll.find({ imageId }, { projection: { _id: 1 } }).toArray();
  const stale = existing.map((d) => d._id).filter((id) => !wanted.has(id));
  for (const id of existing) wanted.delete(id._id);
  if (stale.length) await coll.deleteMany({ _id: { $in: stale }, imageId });
  if (wanted.size) {
    await coll
      .insertMany([...wanted].map(([_id, k]) => ({ _id, key: k, imageId, ownerId })), { ordered: false })
      // A concurrent reindex of the same image may have inserted some already: same ids, same content.
      .catch((err: { code?: number; writeErrors?: { code?: number }[] }) => {
        const errors = err.writeErrors ?? [err];
        if (!errors.every((e) => e.code === 11000)) throw err;
      });
  }
}

/** Removes every posting of an image (deleted forever). */
export async function unindexImage({ imageId }: { imageId: string }): Promise<void> {
  await (await postings()).deleteMany({ imageId });
}

export async function unindexOwner({ ownerId }: { ownerId: string }): Promise<void> {
  await (await postings()).deleteMany({ ownerId });
}

/** The query's words, normalised like indexed terms; empty when nothing searchable is left. */
export function queryWords(q: string): string[] {
  return [...new Set(wordsOf(q.slice(0, 1000)).map((w) => w.slice(0, MAX_WORD)))].slice(0, MAX_QUERY_WORDS);
}

/**
 * Ids of the owner's images that match every word of `q` (AND), in no
 * particular order; trashed images included (the caller filters). One indexed
 * equality query per word; a word that matches nothing ends the search early.
 */
export async function matchingImageIds({ ownerId, q }: { ownerId: string; q: string }): Promise<string[]> {
  const words = queryWords(q);
  if (words.length === 0) return [];
  const coll = await postings();
  const key = await ownerKey({ ownerId, purpose: "search" });
  let result: Set<string> | undefined;
  for (const word of words) {
    // A plural finds the singular too ("dogs" → "dog"), as the index holds both for labels only.
    const tokens = [word, ...(word.length > 3 && word.endsWith("s") ? [word.slice(0, -1)] : [])].map((w) => `${ownerId}:${tokenOf(key, w)}`);
    const ids = new Set<string>();
    for (const k of tokens) for (const d of await coll.find({ key: k }, { projection: { imageId: 1 } }).toArray()) ids.add(d.imageId);
    const before: Set<string> | undefined = result;
    result = before ? new Set([...before].filter((id) => ids.has(id))) : ids;
    if (result.size === 0) return [];
  }
  return [...(result ?? [])];
}
