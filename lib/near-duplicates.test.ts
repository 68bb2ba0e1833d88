import { describe, expect, it } from "vitest";

import { hammingDistance } from "@/lib/characteristics";
import { NEAR_BITS } from "@/lib/duplicates";
import { groupNearDuplicates } from "@/lib/near-duplicates";

// A seeded generator (mulberry32): the same hashes on every run, so a failure can be replayed.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (v: bigint) => v.toString(16).padStart(16, "0");
const randomHash = (next: () => number) => hex((BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32)));
/** The hash with these bit positions (0 = lowest) flipped. */
const flip = (h: string, bits: number[]) => hex(bits.reduce((v, b) => v ^ (1n << BigInt(b)), BigInt(`0x${h}`)));

/** Set bits of a 32-bit number, one at a time (hammingDistance's BigInt loop is too slow for millions of pairs). */
function bitsSet(x: number): number {
  let count = 0;
  for (x >>>= 0; x; x = (x & (x - 1)) >>> 0) count++;
  return count;
}

/** The reference: every pair compared (the grouping this replaces), joined transitively. */
function allPairs(hashes: string[], maxBits: number): number[][] {
  const words = hashes.map((h) => [Number.parseInt(h.slice(0, 8), 16), Number.parseInt(h.slice(8), 16)]);
  const parent = hashes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      if (bitsSet(words[i][0] ^ words[j][0]) + bitsSet(words[i][1] ^ words[j][1]) <= maxBits) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, number[]>();
  hashes.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
  return [...groups.values()].filter((g) => g.length > 1);
}

describe("near-duplicate grouping (multi-index hashing)", () => {
  const base = "f0e1d2c3b4a59687";

  it("groups hashes a few bits apart and leaves one just past the threshold alone", () => {
    expect(NEAR_BITS).toBe(8);
    const near = flip(base, [3, 20, 41]);
    const tooFar = flip(base, [0, 1, 2, 16, 17, 32, 33, 48, 49]);
    expect(hammingDistance(base, tooFar)).toBe(9);
    expect(groupNearDuplicates([base, "0123456789abcdef", near, tooFar], NEAR_BITS)).toEqual([[0, 2]]);
  });

  it("finds pairs 8 bits apart however the bits fall across the four bands", () => {
    // Two bits in every 16-bit band: no band is equal, the case plain banding would miss.
    const spread = flip(base, [1, 9, 17, 25, 33, 41, 49, 57]);
    // All eight in one band, and 3 + 3 + 2 + 0.
    const oneBand = flip(base, [48, 50, 52, 54, 56, 58, 60, 62]);
    const uneven = flip(base, [0, 5, 10, 16, 21, 26, 32, 37]);
    for (const other of [spread, oneBand, uneven]) {
      expect(hammingDistance(base, other)).toBe(8);
      expect(groupNearDuplicates([base, other], NEAR_BITS)).toEqual([[0, 1]]);
    }
  });

  it("joins a chain transitively, as comparing every pair did, and ignores malformed hashes", () => {
    const b = flip(base, [0, 1, 2, 3, 4, 5]);
    const c = flip(b, [10, 11, 12, 13, 14, 15]);
    expect(hammingDistance(base, c)).toBe(12);
    expect(groupNearDuplicates([c, "not a hash", base, "", b], NEAR_BITS)).toEqual([[0, 2, 4]]);
    expect(groupNearDuplicates([], NEAR_BITS)).toEqual([]);
  });

  it("gives exactly the groups of comparing every pair, on 2,000 hashes with planted copies 0 to 12 bits apart", () => {
    const next = rng(11);
    const hashes: string[] = [];
    while (hashes.length < 2000) {
      const h = randomHash(next);
      hashes.push(h);
      // About one photo in five has edited copies, some within the threshold and some just past it.
      if (next() < 0.2) {
        const copies = 1 + Math.floor(next() * 3);
        for (let c = 0; c < copies; c++) {
          const bits = new Set<number>();
          const k = Math.floor(next() * 13);
          while (bits.size < k) bits.add(Math.floor(next() * 64));
          hashes.push(flip(h, [...bits]));
        }
      }
    }
    // Shuffled, so copies are not next to their original.
    for (let i = hashes.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [hashes[i], hashes[j]] = [hashes[j], hashes[i]];
    }
    const expected = allPairs(hashes, NEAR_BITS);
    expect(expected.length).toBeGreaterThan(100);
    expect(groupNearDuplicates(hashes, NEAR_BITS)).toEqual(expected);
    // Other thresholds too (the band radius follows them).
    for (const bits of [0, 3, 4, 12]) expect(groupNearDuplicates(hashes, bits), `${bits} bits`).toEqual(allPairs(hashes, bits));
  });
});
