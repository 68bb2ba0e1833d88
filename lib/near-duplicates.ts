import "server-only";

/**
 * Grouping of 64-bit perceptual hashes (16 hex digits) whose Hamming distance
 * is at most `maxBits`, joined transitively (a ~ b and b ~ c put a, b and c in
 * one group), without comparing every pair.
 *
 * Multi-index hashing: the hash is cut into four 16-bit bands. If two hashes
 * differ in at most `maxBits` bits, some band differs in at most
 * r = ⌊maxBits / 4⌋ bits (were every band r + 1 or more apart, the whole would
 * be 4(r + 1) > maxBits apart). So each hash is compared only with the hashes
 * whose value in some band is within r bits of its own: for 8 bits, r = 2, so
 * 137 neighbouring values per band are looked up in a table of that band.
 * Every pair within maxBits is still compared, so the groups are exactly
 * those of comparing all pairs.
 *
 * Cost: n × 4 × 137 table look-ups, plus the candidates found. For unrelated
 * photos a band value is shared by about n / 65,536 others, so the candidates
 * stay a small multiple of n up to tens of thousands of images (instead of
 * n² / 2 comparisons); a library of many near-identical shots costs more,
 * as the groups themselves are larger.
 */

const BANDS = 4;
const BAND_VALUES = 1 << 16;

const maskCache = new Map<number, Uint16Array>();

/** Every 16-bit mask with at most `radius` bits set (137 for radius 2), computed once per radius. */
function masksWithin(radius: number): Uint16Array {
  let masks = maskCache.get(radius);
  if (!masks) {
    const out: number[] = [];
    for (let m = 0; m < BAND_VALUES; m++) if (popcount32(m) <= radius) out.push(m);
    masks = Uint16Array.from(out);
    maskCache.set(radius, masks);
  }
  return masks;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const HEX64 = /^[0-9a-f]{16}$/i;

/**
 * Groups of indices into `hashes` (two or more members each, members in
 * increasing order, groups ordered by their first member). Hashes that are
 * not 16 hex digits belong to no group.
 */
export function groupNearDuplicates(hashes: readonly string[], maxBits: number): number[][] {
  const n = hashes.length;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const valid: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!HEX64.test(hashes[i])) continue;
    hi[i] = Number.parseInt(hashes[i].slice(0, 8), 16) >>> 0;
    lo[i] = Number.parseInt(hashes[i].slice(8), 16) >>> 0;
    valid.push(i);
  }
  const band = (i: number, b: number) => (b === 0 ? hi[i] >>> 16 : b === 1 ? hi[i] & 0xffff : b === 2 ? lo[i] >>> 16 : lo[i] & 0xffff);

  // One table per band, in compressed rows: the indices whose band equals v are
  // members[start[v] .. start[v + 1]), in increasing order.
  const tables = Array.from({ length: BANDS }, (_, b) => {
    const start = new Uint32Array(BAND_VALUES + 1);
    for (const i of valid) start[band(i, b) + 1]++;
    for (let v = 0; v < BAND_VALUES; v++) start[v + 1] += start[v];
    const fill = start.slice(0, BAND_VALUES);
    const members = new Uint32Array(valid.length);
    for (const i of valid) members[fill[band(i, b)]++] = i;
    return { start, members };
  });

  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const masks = masksWithin(Math.floor(maxBits / BANDS));
  for (const i of valid) {
    for (let b = 0; b < BANDS; b++) {
      const own = band(i, b);
      const { start, members } = tables[b];
      for (const mask of masks) {
        const v = own ^ mask;
        for (let k = start[v]; k < start[v + 1]; k++) {
          const j = members[k];
          // Each pair once from its lower index; pairs already joined need no distance.
          if (j <= i) continue;
          const ri = find(i);
          const rj = find(j);
          if (ri === rj) continue;
          if (popcount32(hi[i] ^ hi[j]) + popcount32(lo[i] ^ lo[j]) <= maxBits) parent[rj] = ri;
        }
      }
    }
  }

  const groups = new Map<number, number[]>();
  for (const i of valid) {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(i);
    else groups.set(root, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
