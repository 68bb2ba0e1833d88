import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import {
  blobAad,
  CHUNK_SIZE,
  decryptSegments,
  newBlobPrefix,
  openSegment,
  type SealedChunk,
  sealSegment,
  sealSegments,
  SEGMENT_SIZE,
  segmentCount,
  segmentRange,
  segmentSizeOf,
  V1_SEGMENT_SIZE,
} from "@/lib/blob-crypto";
import { newDek, TAG_SIZE } from "@/lib/crypto";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";

type Blob = { dek: Buffer; prefix: Buffer; aad: Buffer; total: number; chunks: SealedChunk[]; plaintext: Buffer };

function seal(plaintext: Buffer, opts: { dek?: Buffer; prefix?: Buffer; imageId?: string; variant?: "original" | "preview" | "thumb" } = {}): Blob {
  const dek = opts.dek ?? newDek();
  const prefix = opts.prefix ?? newBlobPrefix();
  const aad = blobAad({ imageId: opts.imageId ?? "img-1", variant: opts.variant ?? "original" });
  const total = segmentCount(plaintext.length);
  const sealed = sealSegments({ dek, prefix, aad, firstIndex: 0, totalSegments: total, plaintext });
  return { dek, prefix, aad, total, plaintext, chunks: sealed.map((data, n) => ({ n, data })) };
}

/** Decrypts, collecting what was yielded before any failure, so tests can see exactly what escaped. */
async function drain(
  blob: Blob,
  over: Partial<{
    dek: Buffer;
    prefix: Buffer;
    aad: Buffer;
    total: number;
    chunks: AsyncIterable<SealedChunk> | Iterable<SealedChunk>;
    firstIndex: number;
    lastIndex: number;
    size: number;
  }> = {},
): Promise<{ yielded: Buffer[]; error?: unknown }> {
  const yielded: Buffer[] = [];
  try {
    for await (const plain of decryptSegments({
      dek: over.dek ?? blob.dek,
      prefix: over.prefix ?? blob.prefix,
      aad: over.aad ?? blob.aad,
      totalSegments: over.total ?? blob.total,
      source: over.chunks ?? blob.chunks,
      firstIndex: over.firstIndex,
      lastIndex: over.lastIndex,
      size: over.size,
    })) {
      yielded.push(plain);
    }
    return { yielded };
  } catch (error) {
    return { yielded, error };
  }
}

function segmentOf(plaintext: Buffer, i: number): Buffer {
  return plaintext.subarray(i * SEGMENT_SIZE, (i + 1) * SEGMENT_SIZE);
}

/** Fails closed: an integrity AppError, and only the authentic segments before `failedAt` were released. */
function expectIntegrityFailure(result: { yielded: Buffer[]; error?: unknown }, blob: Blob, failedAt: number): void {
  expect(result.error).toBeInstanceOf(AppError);
  expect((result.error as AppError).code).toBe("integrity");
  expect((result.error as AppError).message).toBe("Stored data failed its integrity check.");
  expect(result.yielded.length).toBe(failedAt);
  result.yielded.forEach((plain, i) => expect(plain.equals(segmentOf(blob.plaintext, i))).toBe(true));
}

function flip(buf: unknown, at: number): Buffer {
  const copy = Buffer.from(buf as Buffer);
  copy[at] ^= 0x01;
  return copy;
}

const KiB = 1024;
/** Five segments, the last one short. */
const MULTI = 4 * SEGMENT_SIZE + 44 * KiB;

describe("segment layout", () => {
  it("counts an empty file as one segment", () => {
    expect(segmentCount(0)).toBe(1);
    expect(segmentCount(1)).toBe(1);
    expect(segmentCount(SEGMENT_SIZE)).toBe(1);
    expect(segmentCount(SEGMENT_SIZE + 1)).toBe(2);
    expect(segmentCount(300 * KiB)).toBe(2);
    expect(segmentCount(300 * KiB, V1_SEGMENT_SIZE)).toBe(5);
    expect(CHUNK_SIZE).toBe(262160);
    expect(() => segmentCount(-1)).toThrow(AppError);
  });
});

describe("round trips", () => {
  for (const size of [0, 1, SEGMENT_SIZE - 1, SEGMENT_SIZE, SEGMENT_SIZE + 1, 2 * SEGMENT_SIZE, MULTI]) {
    it(`decrypts what it sealed (${size} bytes)`, async () => {
      const blob = seal(randomBytes(size));
      expect(blob.chunks).toHaveLength(segmentCount(size));
      blob.chunks.forEach((c, i) => {
        const expected = i < blob.total - 1 ? CHUNK_SIZE : size - i * SEGMENT_SIZE + TAG_SIZE;
        expect((c.data as Buffer).length).toBe(expected);
      });
      const { yielded, error } = await drain(blob, { size });
      expect(error).toBeUndefined();
      expect(Buffer.concat(yielded).equals(blob.plaintext)).toBe(true);
    });
  }

  it("seals a single segment to plaintext + tag and opens it", () => {
    const dek = newDek();
    const prefix = newBlobPrefix();
    const aad = blobAad({ imageId: "i", variant: "original" });
    const plaintext = randomBytes(100);
    const sealed = sealSegment({ dek, prefix, index: 7, last: true, aad, plaintext });
    expect(sealed).toHaveLength(100 + TAG_SIZE);
    expect(openSegment({ dek, prefix, index: 7, last: true, aad, sealed }).equals(plaintext)).toBe(true);
    // Index and last flag are in the nonce.
    expect(() => openSegment({ dek, prefix, index: 6, last: true, aad, sealed })).toThrow(AppError);
    expect(() => openSegment({ dek, prefix, index: 7, last: false, aad, sealed })).toThrow(AppError);
    expect(() => openSegment({ dek, prefix, index: 7, last: true, aad, sealed: sealed.subarray(0, 10) })).toThrow(AppError);
    // Only the last segment may be short.
    expect(() => sealSegment({ dek, prefix, index: 0, last: false, aad, plaintext })).toThrow(AppError);
  });

  it("survives a trip through the database as BSON Binary", async () => {
    const db = await getDb();
    const blob = seal(randomBytes(3 * SEGMENT_SIZE + 5));
    const coll = db.collection<{ files_id: string; n: number; data: Buffer }>("crypto_test_chunks");
    await coll.insertMany(blob.chunks.map((c) => ({ files_id: "f1", n: c.n, data: c.data as Buffer })));
    const cursor = coll.find({ files_id: "f1" }).sort({ n: 1 });
    const source = (async function* () {
      for await (const doc of cursor) yield { n: doc.n, data: doc.data };
    })();
    const { yielded, error } = await drain(blob, { chunks: source });
    expect(error).toBeUndefined();
    expect(Buffer.concat(yielded).equals(blob.plaintext)).toBe(true);
  });
});

describe("sealing in independent parts", () => {
  it("equals sealing in one go and decrypts", async () => {
    const blob = seal(randomBytes(MULTI));
    const partSegments = 2;
    const parts: Buffer[][] = [];
    // Seal parts out of order, as uploads may arrive.
    for (const p of [2, 0, 1]) {
      const firstIndex = p * partSegments;
      const plaintext = blob.plaintext.subarray(firstIndex * SEGMENT_SIZE, (firstIndex + partSegments) * SEGMENT_SIZE);
      parts[p] = sealSegments({ dek: blob.dek, prefix: blob.prefix, aad: blob.aad, firstIndex, totalSegments: blob.total, plaintext });
    }
    const joined = parts.flat();
    expect(joined).toHaveLength(blob.total);
    joined.forEach((data, n) => expect(data.equals(blob.chunks[n].data as Buffer)).toBe(true));
    const { yielded, error } = await drain(blob, { chunks: joined.map((data, n) => ({ n, data })) });
    expect(error).toBeUndefined();
    expect(Buffer.concat(yielded).equals(blob.plaintext)).toBe(true);
  });

  it("refuses runs that do not fit the layout", () => {
    const dek = newDek();
    const prefix = newBlobPrefix();
    const aad = blobAad({ imageId: "i", variant: "original" });
    const base = { dek, prefix, aad };
    // A short run that does not end the blob.
    expect(() => sealSegments({ ...base, firstIndex: 0, totalSegments: 3, plaintext: randomBytes(SEGMENT_SIZE + 1) })).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
    // A run that runs past the end.
    expect(() => sealSegments({ ...base, firstIndex: 2, totalSegments: 3, plaintext: randomBytes(SEGMENT_SIZE + 1) })).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
    // An empty run anywhere but as the whole of an empty blob.
    expect(() => sealSegments({ ...base, firstIndex: 2, totalSegments: 3, plaintext: Buffer.alloc(0) })).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
    expect(() => sealSegments({ ...base, firstIndex: 3, totalSegments: 3, plaintext: randomBytes(10) })).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
    // The valid neighbours of those.
    expect(sealSegments({ ...base, firstIndex: 0, totalSegments: 3, plaintext: randomBytes(2 * SEGMENT_SIZE) })).toHaveLength(2);
    expect(sealSegments({ ...base, firstIndex: 2, totalSegments: 3, plaintext: randomBytes(SEGMENT_SIZE) })).toHaveLength(1);
    expect(sealSegments({ ...base, firstIndex: 0, totalSegments: 1, plaintext: Buffer.alloc(0) })).toHaveLength(1);
  });
});

describe("byte ranges", () => {
  const size = MULTI;
  const blob = seal(randomBytes(size));

  async function readRange(start: number, end: number): Promise<Buffer> {
    const { firstIndex, lastIndex, skipStart, takeLength } = segmentRange({ start, end, size });
    // What a GridFS query on n ∈ [firstIndex, lastIndex] returns.
    const chunks = blob.chunks.filter((c) => c.n >= firstIndex && c.n <= lastIndex);
    const { yielded, error } = await drain(blob, { chunks, firstIndex, lastIndex });
    expect(error).toBeUndefined();
    expect(yielded).toHaveLength(lastIndex - firstIndex + 1);
    return Buffer.concat(yielded).subarray(skipStart, skipStart + takeLength);
  }

  const cases: [string, number, number][] = [
    ["first byte", 0, 0],
    ["last byte", size - 1, size - 1],
    ["across a boundary", SEGMENT_SIZE - 3, SEGMENT_SIZE + 4],
    ["inside one middle segment", 2 * SEGMENT_SIZE + 10, 2 * SEGMENT_SIZE + 20],
    ["exactly one segment", SEGMENT_SIZE, 2 * SEGMENT_SIZE - 1],
    ["whole", 0, size - 1],
  ];
  for (const [name, start, end] of cases) {
    it(`reads ${name}`, async () => {
      const got = await readRange(start, end);
      expect(got.equals(blob.plaintext.subarray(start, end + 1))).toBe(true);
    });
  }

  it("maps ranges to segments", () => {
    expect(segmentRange({ start: SEGMENT_SIZE - 1, end: SEGMENT_SIZE, size })).toEqual({
      firstIndex: 0,
      lastIndex: 1,
      skipStart: SEGMENT_SIZE - 1,
      takeLength: 2,
    });
    expect(() => segmentRange({ start: 0, end: size, size })).toThrow(AppError);
    expect(() => segmentRange({ start: 5, end: 4, size })).toThrow(AppError);
    expect(() => segmentRange({ start: 0, end: 0, size: 0 })).toThrow(AppError);
  });

  it("stops after lastIndex without reading further", async () => {
    let pulled = 0;
    const source = (function* () {
      for (const c of blob.chunks) {
        pulled++;
        yield c;
      }
    })();
    const { yielded, error } = await drain(blob, { chunks: source, lastIndex: 1 });
    expect(error).toBeUndefined();
    expect(yielded).toHaveLength(2);
    expect(pulled).toBe(2);
  });
});

describe("tampering fails closed", () => {
  const blob = seal(randomBytes(MULTI), { imageId: "img-A", variant: "original" });
  const n = blob.chunks.length;
  const withChunk = (i: number, data: Buffer | Uint8Array): SealedChunk[] => blob.chunks.map((c) => (c.n === i ? { n: i, data } : c));

  it("a flipped byte in the ciphertext", async () => {
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(2, flip(blob.chunks[2].data, 100)) }), blob, 2);
  });

  it("a flipped byte in the tag", async () => {
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(1, flip(blob.chunks[1].data, CHUNK_SIZE - 1)) }), blob, 1);
  });

  it("a flipped byte in the short last segment", async () => {
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(n - 1, flip(blob.chunks[n - 1].data, 0)) }), blob, n - 1);
  });

  it("a chunk cut short", async () => {
    const data = blob.chunks[1].data as Buffer;
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(1, data.subarray(0, data.length - 1)) }), blob, 1);
  });

  it("truncation: the last chunk dropped", async () => {
    expectIntegrityFailure(await drain(blob, { chunks: blob.chunks.slice(0, n - 1) }), blob, n - 1);
  });

  it("truncation at a boundary with a matching (tampered) segment count", async () => {
    // The record claims fewer segments; the new "last" one was sealed as not-last.
    expectIntegrityFailure(await drain(blob, { chunks: blob.chunks.slice(0, n - 1), total: n - 1 }), blob, n - 2);
  });

  it("a tampered plaintext size in the record", async () => {
    expectIntegrityFailure(await drain(blob, { size: blob.plaintext.length - 1 }), blob, n - 1);
    expectIntegrityFailure(await drain(blob, { size: blob.plaintext.length + SEGMENT_SIZE }), blob, 0);
  });

  it("an empty stream", async () => {
    expectIntegrityFailure(await drain(blob, { chunks: [] }), blob, 0);
  });

  it("chunks reordered (data swapped, sequence numbers kept)", async () => {
    const chunks = blob.chunks.map((c) => ({ ...c }));
    [chunks[1].data, chunks[2].data] = [chunks[2].data, chunks[1].data];
    expectIntegrityFailure(await drain(blob, { chunks }), blob, 1);
  });

  it("chunks delivered out of order", async () => {
    const chunks = [blob.chunks[0], blob.chunks[2], blob.chunks[1], ...blob.chunks.slice(3)];
    expectIntegrityFailure(await drain(blob, { chunks }), blob, 1);
  });

  it("a missing middle chunk", async () => {
    const chunks = blob.chunks.filter((c) => c.n !== 2);
    expectIntegrityFailure(await drain(blob, { chunks }), blob, 2);
  });

  it("a duplicated chunk", async () => {
    const chunks = [blob.chunks[0], blob.chunks[1], blob.chunks[1], ...blob.chunks.slice(2)];
    expectIntegrityFailure(await drain(blob, { chunks }), blob, 2);
    // The same sealed bytes relabelled as the next segment.
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(2, blob.chunks[1].data as Buffer) }), blob, 2);
  });

  it("a chunk swapped in from another image (same key and prefix, different AAD)", async () => {
    const other = seal(blob.plaintext, { dek: blob.dek, prefix: blob.prefix, imageId: "img-B", variant: "original" });
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(3, other.chunks[3].data as Buffer) }), blob, 3);
  });

  it("a chunk swapped in from another variant of the same image", async () => {
    const other = seal(blob.plaintext, { dek: blob.dek, prefix: blob.prefix, imageId: "img-A", variant: "preview" });
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(0, other.chunks[0].data as Buffer) }), blob, 0);
  });

  it("a chunk from another blob with its own prefix", async () => {
    const other = seal(blob.plaintext, { dek: blob.dek, imageId: "img-A", variant: "original" });
    expectIntegrityFailure(await drain(blob, { chunks: withChunk(1, other.chunks[1].data as Buffer) }), blob, 1);
  });

  it("the wrong data key", async () => {
    expectIntegrityFailure(await drain(blob, { dek: newDek() }), blob, 0);
  });

  it("the wrong AAD for the whole blob", async () => {
    expectIntegrityFailure(await drain(blob, { aad: blobAad({ imageId: "img-A", variant: "thumb" }) }), blob, 0);
  });

  it("an empty file's segment cannot be replaced by another empty segment", async () => {
    const empty = seal(Buffer.alloc(0), { imageId: "e1" });
    const other = seal(Buffer.alloc(0), { dek: empty.dek, prefix: empty.prefix, imageId: "e2" });
    const result = await drain(empty, { chunks: other.chunks });
    expectIntegrityFailure(result, empty, 0);
  });
});

describe("format v1 (64 KiB segments) keeps reading", () => {
  const sealV1 = (plaintext: Buffer) => {
    const dek = newDek();
    const prefix = newBlobPrefix();
    const aad = blobAad({ imageId: "img-v1", variant: "original" });
    const total = segmentCount(plaintext.length, V1_SEGMENT_SIZE);
    const sealed = sealSegments({ dek, prefix, aad, firstIndex: 0, totalSegments: total, plaintext, segmentSize: V1_SEGMENT_SIZE });
    return { dek, prefix, aad, total, plaintext, chunks: sealed.map((data, n) => ({ n, data })) };
  };

  it("seals 64 KiB segments into 65,552-byte chunks and reads them, whole and by range", async () => {
    const blob = sealV1(randomBytes(300 * KiB));
    expect(blob.chunks).toHaveLength(5);
    expect(blob.chunks[0].data).toHaveLength(V1_SEGMENT_SIZE + TAG_SIZE);
    const read = async (firstIndex?: number, lastIndex?: number) => {
      const out: Buffer[] = [];
      const source = blob.chunks.filter((c) => c.n >= (firstIndex ?? 0));
      const size = blob.plaintext.length;
      for await (const p of decryptSegments({ ...blob, totalSegments: blob.total, source, firstIndex, lastIndex, size, segmentSize: V1_SEGMENT_SIZE })) {
        out.push(p);
      }
      return Buffer.concat(out);
    };
    expect((await read()).equals(blob.plaintext)).toBe(true);
    const plan = segmentRange({ start: 70_000, end: 140_000, size: blob.plaintext.length, segmentSize: V1_SEGMENT_SIZE });
    expect(plan).toMatchObject({ firstIndex: 1, lastIndex: 2 });
    const part = await read(plan.firstIndex, plan.lastIndex);
    expect(part.subarray(plan.skipStart, plan.skipStart + plan.takeLength).equals(blob.plaintext.subarray(70_000, 140_001))).toBe(true);
  });

  it("fails closed when read with the wrong segment size", async () => {
    const blob = sealV1(randomBytes(300 * KiB));
    const { yielded, error } = await drain(blob, { total: segmentCount(blob.plaintext.length) });
    expect(yielded).toHaveLength(0);
    expect((error as AppError).code).toBe("integrity");
  });

  it("takes the segment size from the record, and only a known one", () => {
    expect(segmentSizeOf({ v: 1 })).toBe(V1_SEGMENT_SIZE);
    // v1 records never carried a size; one that appears there is ignored, not trusted.
    expect(segmentSizeOf({ v: 1, segmentSize: SEGMENT_SIZE })).toBe(V1_SEGMENT_SIZE);
    expect(segmentSizeOf({ v: 2, segmentSize: SEGMENT_SIZE })).toBe(SEGMENT_SIZE);
    expect(segmentSizeOf({ v: 2, segmentSize: V1_SEGMENT_SIZE })).toBe(V1_SEGMENT_SIZE);
    for (const bad of [{ v: 2 }, { v: 2, segmentSize: 1 }, { v: 2, segmentSize: 1 << 30 }, { v: 3, segmentSize: SEGMENT_SIZE }]) {
      expect(() => segmentSizeOf(bad)).toThrow(AppError);
    }
  });
});
