import sharp from "sharp";
import { describe, expect, it } from "vitest";

import { computePalette, dominantColours } from "@/lib/palette";
import { makeJpeg, makePng } from "@/lib/testing/fixtures";

/** RGBA pixels: `count` of each colour, in order. */
function pixels(runs: { rgba: [number, number, number, number]; count: number }[]): Uint8Array {
  const out: number[] = [];
  for (const { rgba, count } of runs) for (let i = 0; i < count; i++) out.push(...rgba);
  return Uint8Array.from(out);
}

describe("computePalette", () => {
  it("finds the dominant colours as hex", async () => {
    const png = await makePng({ width: 300, height: 100, colors: ["#ff0000", "#0000ff", "#00ff00"] });
    const palette = await computePalette({ image: sharp(png) });
    expect(palette.length).toBeGreaterThanOrEqual(3);
    expect(palette.length).toBeLessThanOrEqual(5);
    for (const c of palette) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(palette).toEqual(expect.arrayContaining(["#ff0000", "#0000ff", "#00ff00"]));

    const photo = await makeJpeg({ width: 400, height: 300 });
    expect(await computePalette({ image: sharp(photo) })).toHaveLength(5);
  });

  it("gives as many colours as asked for, at most", async () => {
    const photo = await makeJpeg({ width: 400, height: 300 });
    expect(await computePalette({ image: sharp(photo), size: 2 })).toHaveLength(2);
  });
});

describe("dominantColours", () => {
  it("orders colours by how many pixels have them", () => {
    const data = pixels([
      { rgba: [0, 0, 255, 255], count: 10 },
      { rgba: [255, 0, 0, 255], count: 30 },
      { rgba: [0, 255, 0, 255], count: 20 },
    ]);
    expect(dominantColours({ data, channels: 4 })).toEqual(["#ff0000", "#00ff00", "#0000ff"]);
  });

  it("lets transparent pixels not vote", () => {
    const data = pixels([
      { rgba: [255, 255, 255, 0], count: 100 },
      { rgba: [255, 255, 255, 127], count: 100 },
      { rgba: [10, 20, 30, 128], count: 1 },
    ]);
    expect(dominantColours({ data, channels: 4 })).toEqual(["#0a141e"]);
  });

  it("merges near-duplicates and averages each bucket", () => {
    const data = pixels([
      { rgba: [200, 0, 0, 255], count: 10 },
      { rgba: [202, 0, 0, 255], count: 10 }, // same 4-bit bucket: averaged with the first
      { rgba: [220, 0, 0, 255], count: 5 }, // another bucket, but within 32 of it: skipped
      { rgba: [0, 0, 200, 255], count: 1 },
    ]);
    expect(dominantColours({ data, channels: 4 })).toEqual(["#c90000", "#0000c8"]);
  });

  it("is empty for an image with no opaque pixel", () => {
    expect(dominantColours({ data: pixels([{ rgba: [9, 9, 9, 0], count: 50 }]), channels: 4 })).toEqual([]);
  });
});
