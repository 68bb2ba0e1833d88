import { readFile } from "node:fs/promises";
import path from "node:path";

import sharp from "sharp";
import { describe, expect, it } from "vitest";

import { SENSITIVE_FROM, characterise, colourName, hammingDistance, measurePixels, orientationOf, searchTermsOf } from "@/lib/characteristics";
import type { SealedMeta } from "@/lib/images";

const photo = (name: string) => readFile(path.join(import.meta.dirname, "testing/photos", name));

describe("characteristics", () => {
  it("orientation, panorama from 2:1", () => {
    expect(orientationOf({ width: 4000, height: 3000 })).toBe("landscape");
    expect(orientationOf({ width: 3000, height: 4000 })).toBe("portrait");
    expect(orientationOf({ width: 1000, height: 1010 })).toBe("square");
    expect(orientationOf({ width: 6000, height: 2000 })).toBe("panorama");
    expect(orientationOf({ width: 1000, height: 2400 })).toBe("panorama");
  });

  it("colour names people use", () => {
    expect(colourName("#e01b24")).toBe("red");
    expect(colourName("#ff7800")).toBe("orange");
    expect(colourName("#f6d32d")).toBe("yellow");
    expect(colourName("#33d17a")).toBe("green");
    expect(colourName("#1c9c9c")).toBe("teal");
    expect(colourName("#1c71d8")).toBe("blue");
    expect(colourName("#9141ac")).toBe("purple");
    expect(colourName("#ffa0c8")).toBe("pink");
    expect(colourName("#63452c")).toBe("brown");
    expect(colourName("#000000")).toBe("black");
    expect(colourName("#ffffff")).toBe("white");
    expect(colourName("#808080")).toBe("gray");
  });

  it("a blurred photo is less sharp and flagged; a dark one is dark; a perceptual hash survives resizing", async () => {
    const original = await photo("astronaut.jpg");
    const sharpOne = await measurePixels({ image: original });
    const blurred = await measurePixels({ image: await sharp(original).blur(6).jpeg().toBuffer() });
    expect(blurred.sharpness).toBeLessThan(sharpOne.sharpness / 4);
    expect(blurred.sharpness).toBeLessThan(60);
    expect(sharpOne.sharpness).toBeGreaterThan(60);
    const dark = await measurePixels({ image: await sharp(original).linear(0.15, 0).jpeg().toBuffer() });
    expect(dark.brightness).toBeLessThan(50);
    expect(sharpOne.brightness).toBeGreaterThan(50);
    const small = await measurePixels({ image: await sharp(original).resize(160).jpeg({ quality: 40 }).toBuffer() });
    expect(hammingDistance(small.phash, sharpOne.phash)).toBeLessThanOrEqual(8);
    const other = await measurePixels({ image: await photo("coffee.jpg") });
    expect(hammingDistance(other.phash, sharpOne.phash)).toBeGreaterThan(8);
  });

  it("flat colours (a screenshot) versus a photo", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="500"><rect width="800" height="500" fill="#fff"/><rect width="800" height="60" fill="#1c71d8"/><rect x="40" y="100" width="300" height="30" fill="#ddd"/></svg>');
    const ui = await measurePixels({ image: await sharp(svg).png().toBuffer() });
    expect(ui.flatShare).toBeGreaterThan(0.5);
    expect((await measurePixels({ image: await photo("cat.jpg") })).flatShare).toBeLessThan(0.5);
  });

  it("flags explicit or suggestive content from Porn + Hentai + Sexy at the threshold, with a search word", () => {
    const meta: SealedMeta = { name: "beach.jpg", format: "jpeg", pages: 1, hasAlpha: false, exif: {}, gps: null, palette: [] };
    const pixels = { sharpness: 200, brightness: 120, phash: "0123456789abcdef", flatShare: 0.1 };
    const of = (content: { drawing: number; hentai: number; neutral: number; porn: number; sexy: number }) =>
      characterise({ width: 800, height: 600, mime: "image/jpeg", meta, pixels, detection: { faces: 0, objects: [], persons: 0, tensors: 0, content } });
    // Each class alone is under the threshold; together they cross it.
    const suggestive = of({ drawing: 0.05, hentai: 0.1, neutral: 0.35, porn: 0.2, sexy: 0.3 });
    expect(suggestive).toMatchObject({ sensitive: true, sensitiveScore: 0.6 });
    expect(searchTermsOf({ meta, traits: suggestive })).toContain("sensitive");
    const atThreshold = of({ drawing: 0, hentai: 0, neutral: 1 - SENSITIVE_FROM, porn: SENSITIVE_FROM, sexy: 0 });
    expect(atThreshold.sensitive).toBe(true);
    // A neutral photo, and a drawing, are not.
    const calm = of({ drawing: 0.02, hentai: 0.01, neutral: 0.85, porn: 0.1, sexy: 0.02 });
    expect(calm).toMatchObject({ sensitive: false, sensitiveScore: 0.13 });
    expect(searchTermsOf({ meta, traits: calm })).not.toContain("sensitive");
    expect(of({ drawing: 0.9, hentai: 0.04, neutral: 0.05, porn: 0.01, sexy: 0 }).sensitive).toBe(false);
  });
});
