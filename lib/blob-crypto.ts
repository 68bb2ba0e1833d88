import "server-only";

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import type { Binary } from "mongodb";

import { ALGORITHM, NONCE_SIZE, TAG_SIZE, assertKey, encodeAad, toBuffer } from "@/lib/crypto";
import { AppError } from "@/lib/errors";

/**
 * Segmented AEAD for blobs (DESIGN.md §3), the STREAM construction: each
 * plaintext segment is sealed on its own with AES-256-GCM, so a segment is
 * authenticated before any of its bytes are released, a byte range maps to
 * whole segments, and an upload part can be sealed independently.
 *
 * Format v1 uses 64 KiB segments; format v2 is the same construction with
 * 256 KiB segments. Each sealed segment is one GridFS chunk, and FerretDB's
 * cost is per chunk document far more than per byte (README, Benchmarks): 64
 * documents per 4 MiB part held uploads to about half the raw GridFS rate,
 * 16 reach it. Every blob records its segment size; v1 blobs keep reading.
 */

/** The format new blobs are written in. */
export const FORMAT_VERSION = 2;
export const V1_SEGMENT_SIZE = 65536;
/** Segment size of new blobs (format v2): the size of MongoDB's default GridFS chunk, give or take. */
export const SEGMENT_SIZE = 262144;
/** One sealed segment of a new blob is exactly one GridFS chunk (chunkSizeBytes). */
export const CHUNK_SIZE = SEGMENT_SIZE + TAG_SIZE;
export const PREFIX_SIZE = 7;

/** The only sizes there are; anything else is a bug (writing) or a tampered record (segmentSizeOf). */
const SEGMENT_SIZES: ReadonlySet<number> = new Set([V1_SEGMENT_SIZE, SEGMENT_SIZE]);

function assertSegmentSize(segmentSize: number): void {
  if (!SEGMENT_SIZES.has(segmentSize)) throw new Error(`unsupported segment size ${segmentSize}`);
}

/**
 * The segment size of a stored blob from its record: v1 records carry none
 * (always 64 KiB), v2 ones carry their own. Anything else, e.g. a size edited
 * in the clear record, is an integrity failure before a single chunk is read.
 */
export function segmentSizeOf({ v, segmentSize }: { v: number; segmentSize?: number }): number {
  if (v === 1) return V1_SEGMENT_SIZE;
  if (v === 2 && segmentSize !== undefined && SEGMENT_SIZES.has(segmentSize)) return segmentSize;
  throw new AppError("integrity");
}

const MAX_SEGMENT_INDEX = 0xffff_ffff;

export type BlobVariant = "original" | "preview" | "thumb";
const VARIANTS: ReadonlySet<string> = new Set<BlobVariant>(["original", "preview", "thumb"]);

/** One stored chunk as GridFS keeps it: its sequence number and sealed bytes. */
export type SealedChunk = { n: number; data: Buffer | Uint8Array | Binary };

/** A fresh random 7-byte nonce prefix; every blob gets its own, so nonces never repeat under a DEK. */
export function newBlobPrefix(): Buffer {
  return randomBytes(PREFIX_SIZE);
}

/**
 * AAD for a blob: encodeAad([imageId, variant]). It binds every segment to
 * its image and variant, so a chunk moved between them fails authentication.
 */
export function blobAad({ imageId, variant }: { imageId: string; variant: BlobVariant }): Buffer {
  // Checked at run time too: "meta" here would collide with the metadata AAD.
  if (!VARIANTS.has(variant)) throw new AppError("invalid_input", `unknown blob variant "${String(variant)}"`);
  if (!imageId) throw new AppError("invalid_input", "imageId is required");
  return encodeAad([imageId, variant]);
}

function segmentNonce(prefix: Buffer, index: number, last: boolean): Buffer {
  if (prefix.length !== PREFIX_SIZE) throw new Error(`blob prefix must be ${PREFIX_SIZE} bytes`);
  if (!Number.isInteger(index) || index < 0 || index > MAX_SEGMENT_INDEX) {
    throw new Error("segment index out of range");
  }
  const nonce = Buffer.alloc(NONCE_SIZE);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, PREFIX_SIZE);
  nonce[NONCE_SIZE - 1] = last ? 0x01 : 0x00;
  return nonce;
}

type SegmentParams = { dek: Buffer; prefix: Buffer; index: number; last: boolean; aad: Buffer; segmentSize?: number };

/** Seals one segment; returns ciphertext ‖ tag (plaintext.length + 16 bytes). */
export function sealSegment({
  dek,
  prefix,
  index,
  last,
  aad,
  plaintext,
  segmentSize = SEGMENT_SIZE,
}: SegmentParams & { plaintext: Buffer }): Buffer {
  assertKey(dek);
  assertSegmentSize(segmentSize);
  // Only the last segment may be short; fixed-size segments are what make byte ranges map to chunks.
  if (plaintext.length > segmentSize || (!last && plaintext.length !== segmentSize)) {
    throw new AppError("invalid_input", "segment plaintext has the wrong size");
  }
  const cipher = createCipheriv(ALGORITHM, dek, segmentNonce(prefix, index, last), { authTagLength: TAG_SIZE });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Opens one sealed segment. Any failure is the same opaque integrity error. */
export function openSegment({
  dek,
  prefix,
  index,
  last,
  aad,
  sealed,
  segmentSize = SEGMENT_SIZE,
}: SegmentParams & { sealed: Buffer }): Buffer {
  assertKey(dek);
  assertSegmentSize(segmentSize);
  const nonce = segmentNonce(prefix, index, last);
  const chunkSize = segmentSize + TAG_SIZE;
  if (sealed.length < TAG_SIZE || sealed.length > chunkSize || (!last && sealed.length !== chunkSize)) {
    throw new AppError("integrity");
  }
  const body = sealed.subarray(0, sealed.length - TAG_SIZE);
  const tag = sealed.subarray(sealed.length - TAG_SIZE);
  try {
    const decipher = createDecipheriv(ALGORITHM, dek, nonce, { authTagLength: TAG_SIZE });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    // GCM's update() releases unauthenticated bytes; they stay local until final() verifies the tag.
    const plaintext = decipher.update(body);
    const rest = decipher.final();
    // final() gives nothing more for GCM: no copy of every segment on every read.
    return rest.length ? Buffer.concat([plaintext, rest]) : plaintext;
  } catch {
    // No cause attached: the caller learns "failed", never which check or where.
    throw new AppError("integrity");
  }
}

function assertSize(size: number, name: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new AppError("invalid_input", `${name} must be a non-negative integer`);
}

/** Number of segments for a plaintext size. An empty file is one empty last segment, so it still authenticates. */
export function segmentCount(plaintextSize: number, segmentSize = SEGMENT_SIZE): number {
  assertSize(plaintextSize, "plaintextSize");
  assertSegmentSize(segmentSize);
  return plaintextSize === 0 ? 1 : Math.ceil(plaintextSize / segmentSize);
}

/** Sealed (ciphertext) length of a blob, what GridFS `length` reports. */
export function sealedSize(plaintextSize: number, segmentSize = SEGMENT_SIZE): number {
  return plaintextSize + segmentCount(plaintextSize, segmentSize) * TAG_SIZE;
}

/**
 * Seals a contiguous run of plaintext (e.g. one upload part) as segments
 * firstIndex, firstIndex+1, ... of a blob with totalSegments segments. Parts
 * can be sealed independently and in any order; the result is identical to
 * sealing the whole blob at once. Every segment but the blob's last must be
 * exactly segmentSize, so a run that does not end the blob must be a whole
 * number of segments, and a run that does end it must reach index totalSegments-1.
 */
export function sealSegments({
  dek,
  prefix,
  aad,
  firstIndex,
  totalSegments,
  plaintext,
  segmentSize = SEGMENT_SIZE,
}: {
  dek: Buffer;
  prefix: Buffer;
  aad: Buffer;
  firstIndex: number;
  totalSegments: number;
  plaintext: Buffer;
  segmentSize?: number;
}): Buffer[] {
  assertSegmentSize(segmentSize);
  if (!Number.isSafeInteger(totalSegments) || totalSegments < 1 || totalSegments - 1 > MAX_SEGMENT_INDEX) {
    throw new AppError("invalid_input", "totalSegments out of range");
  }
  if (!Number.isSafeInteger(firstIndex) || firstIndex < 0 || firstIndex >= totalSegments) {
    throw new AppError("invalid_input", "firstIndex out of range");
  }
  const lastIndex = totalSegments - 1;
  const whole = plaintext.length % segmentSize === 0;
  // A run with a short (or empty) tail must be the blob's end; a run of whole segments may or may not be.
  const count = plaintext.length === 0 ? 1 : Math.ceil(plaintext.length / segmentSize);
  const endIndex = firstIndex + count - 1;
  const fits =
    endIndex <= lastIndex &&
    // An empty run is only the sole, empty segment of an empty blob.
    (whole ? plaintext.length > 0 || totalSegments === 1 : endIndex === lastIndex);
  if (!fits) throw new AppError("invalid_input", "plaintext length does not fit the segment layout");

  const sealed: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const index = firstIndex + k;
    sealed.push(
      sealSegment({
        dek,
        prefix,
        index,
        last: index === lastIndex,
        aad,
        plaintext: plaintext.subarray(k * segmentSize, (k + 1) * segmentSize),
        segmentSize,
      }),
    );
  }
  return sealed;
}

/**
 * Decrypts sealed chunks in order and yields each segment's plaintext only
 * after its tag verified. Reads segments firstIndex..lastIndex (default: to
 * the end). Fails closed with AppError("integrity") when a chunk is missing,
 * duplicated, out of order, moved from another blob, altered, or when the
 * stream ends before lastIndex (truncation; the last-segment flag in the
 * nonce makes a cut at a segment boundary detectable too). When `size` (the
 * plaintext size from the image record) is given, the segment layout must
 * match it exactly, so a tampered size in the clear record is caught as well.
 * Chunks after lastIndex are not read: the caller's query should stop there.
 */
export async function* decryptSegments({
  dek,
  prefix,
  aad,
  totalSegments,
  source,
  firstIndex = 0,
  lastIndex = totalSegments - 1,
  size,
  segmentSize = SEGMENT_SIZE,
}: {
  dek: Buffer;
  prefix: Buffer;
  aad: Buffer;
  totalSegments: number;
  source: AsyncIterable<SealedChunk> | Iterable<SealedChunk>;
  firstIndex?: number;
  lastIndex?: number;
  size?: number;
  /** The blob's own (segmentSizeOf its record); defaults to the size new blobs are written with. */
  segmentSize?: number;
}): AsyncGenerator<Buffer, void, undefined> {
  if (!Number.isSafeInteger(totalSegments) || totalSegments < 1) throw new AppError("invalid_input", "totalSegments out of range");
  if (!Number.isSafeInteger(firstIndex) || !Number.isSafeInteger(lastIndex) || firstIndex < 0 || lastIndex < firstIndex || lastIndex >= totalSegments) {
    throw new AppError("invalid_input", "segment range out of bounds");
  }
  if (size !== undefined && segmentCount(size, segmentSize) !== totalSegments) throw new AppError("integrity");
  const finalIndex = totalSegments - 1;

  let expected = firstIndex;
  for await (const chunk of source) {
    if (chunk.n !== expected) throw new AppError("integrity");
    const last = expected === finalIndex;
    const plaintext = openSegment({ dek, prefix, index: expected, last, aad, sealed: toBuffer(chunk.data), segmentSize });
    if (last && size !== undefined && plaintext.length !== size - finalIndex * segmentSize) {
      throw new AppError("integrity");
    }
    expected++;
    yield plaintext;
    // Stop before pulling another chunk, so a range read never fetches more than it needs.
    if (expected > lastIndex) return;
  }
  // The source ended before lastIndex: truncated.
  throw new AppError("integrity");
}

/**
 * Maps an inclusive plaintext byte range [start, end] to the whole segments
 * that hold it, and to the slice [skipStart, skipStart + takeLength) of the
 * concatenated plaintext of segments firstIndex..lastIndex.
 */
export function segmentRange({
  start,
  end,
  size,
  segmentSize = SEGMENT_SIZE,
}: {
  start: number;
  end: number;
  size: number;
  segmentSize?: number;
}): {
  firstIndex: number;
  lastIndex: number;
  skipStart: number;
  takeLength: number;
} {
  assertSize(size, "size");
  assertSize(start, "start");
  assertSize(end, "end");
  assertSegmentSize(segmentSize);
  if (start > end || end >= size) throw new AppError("invalid_input", "byte range not satisfiable");
  const firstIndex = Math.floor(start / segmentSize);
  return {
    firstIndex,
    lastIndex: Math.floor(end / segmentSize),
    skipStart: start - firstIndex * segmentSize,
    takeLength: end - start + 1,
  };
}

/** Seals a whole small blob (thumbnail, preview) in one go, from segment 0 to its last. */
export function sealWholeBlob({
  dek,
  prefix,
  imageId,
  variant,
  plaintext,
}: {
  dek: Buffer;
  prefix: Buffer;
  imageId: string;
  variant: BlobVariant;
  plaintext: Buffer;
}): Buffer[] {
  return sealSegments({
    dek,
    prefix,
    aad: blobAad({ imageId, variant }),
    firstIndex: 0,
    totalSegments: segmentCount(plaintext.length),
    plaintext,
  });
}
