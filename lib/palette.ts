import "server-only";

import type { Sharp } from "sharp";

/** Colours closer than this (Euclidean, in RGB) count as one. */
const MIN_DISTANCE = 32;

/**
 * Dominant colours by coarse quantisation: 4 bits per channel (4096 buckets),
 * the most populated buckets win, near-duplicates are skipped. Transparent
 * pixels (alpha < 128) do not vote. `data` is 8-bit RGBA, `channels` = 4.
 */
export function dominantColours({ data, channels, size = 5 }: { data: Uint8Array; channels: number; size?: number }): string[] {
  const count = new Uint32Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i + channels <= data.length; i += channels) {
    if (data[i + 3] < 128) continue;
    const bucket = ((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4);
    count[bucket] += 1;
    sums[bucket * 3] += data[i];
    sums[bucket * 3 + 1] += data[i + 1];
    sums[bucket * 3 + 2] += data[i + 2];
  }
  const order = [...count.keys()].filter((b) => count[b] > 0).sort((a, b) => count[b] - count[a]);
  const picked: [number, number, number][] = [];
  for (const b of order) {
    const rgb: [number, number, number] = [0, 1, 2].map((c) => Math.round(sums[b * 3 + c] / count[b])) as [
      number,
      number,
      number,
    ];
    const distinct = picked.every(
      (p) => (p[0] - rgb[0]) ** 2 + (p[1] - rgb[1]) ** 2 + (p[2] - rgb[2]) ** 2 > MIN_DISTANCE ** 2,
    );
    if (distinct) picked.push(rgb);
    if (picked.length === size) break;
  }
  return picked.map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`);
}

/**
 * Up to `size` dominant colours of an image as #rrggbb, most common first.
 * The image is shrunk to 64×64 first: a palette needs no more, and it keeps
 * the count cheap for any input size.
 */
export async function computePalette({ image, size = 5 }: { image: Sharp; size?: number }): Promise<string[]> {
  const { data, info } = await image
    .resize(64, 64, { fit: "inside" })
    .toColourspace("srgb")
    .ensureAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  return dominantColours({ data, channels: info.channels, size });
}
