import { readFile } from "node:fs/promises";
import path from "node:path";

import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { closeAnalysisPool, detectInImage, warmAnalysisPool } from "@/lib/analysis-pool";
import { SENSITIVE_FROM, modelInput, sensitivityOf } from "@/lib/characteristics";

const photo = (name: string) => readFile(path.join(import.meta.dirname, "testing/photos", name));
const detectBytes = async (image: Buffer) => detectInImage(await modelInput({ image }));
const detect = async (name: string) => detectBytes(await photo(name));
const PHOTOS = ["astronaut.jpg", "cat.jpg", "coffee.jpg", "dog.jpg", "motorcycle.jpg", "rocket.jpg"];

afterAll(closeAnalysisPool);

// Real photographs with known content (lib/testing/photos/LICENSES.md). The model is
// small (COCO CenterNet); what it gets right and wrong is in the README's figures.
describe("analysis pool (models in worker threads)", () => {
  it("loads the models from the installed packages, offline", async () => {
    const { loadMs, nsfwLoadMs } = await warmAnalysisPool();
    expect(nsfwLoadMs).toBeGreaterThan(0);
    expect(loadMs).toBeGreaterThan(nsfwLoadMs);
  });

  it("a portrait of one person: one face, labelled person", async () => {
    const r = await detect("astronaut.jpg");
    expect(r.faces).toBe(1);
    expect(r.objects[0]).toMatchObject({ label: "person" });
  });

  it("a cup of coffee is a cup, with no face; a motorcycle is a motorcycle", async () => {
    const cup = await detect("coffee.jpg");
    expect(cup.faces).toBe(0);
    expect(cup.objects.map((o) => o.label)).toContain("cup");
    expect((await detect("motorcycle.jpg")).objects[0]).toMatchObject({ label: "motorcycle" });
  });

  it("an animal is recognised as one (this model calls the cat a dog: see README)", async () => {
    const r = await detect("cat.jpg");
    expect(["cat", "dog"]).toContain(r.objects[0]?.label);
  });

  it("a German shepherd is a dog, with no face counted", async () => {
    const r = await detect("dog.jpg");
    expect(r.objects[0]).toMatchObject({ label: "dog" });
    expect(r.objects.map((o) => o.label)).not.toContain("person");
    expect(r.faces).toBe(0);
  });

  it("counts people: two portraits side by side are two faces", async () => {
    // A montage of the one real portrait we have and its mirror image: the
    // detector must count each face, not just notice that there is one.
    const half = await sharp(await photo("astronaut.jpg")).resize(320).toBuffer();
    const { height = 0 } = await sharp(half).metadata();
    const pair = await sharp({ create: { width: 640, height, channels: 3, background: "#ffffff" } })
      .composite([{ input: half, left: 0, top: 0 }, { input: await sharp(half).flop().toBuffer(), left: 320, top: 0 }])
      .jpeg()
      .toBuffer();
    expect((await detectBytes(pair)).faces).toBe(2);
  });

  it("no real photo is flagged sensitive (nsfwjs): explicit and suggestive classes stay below the threshold", async () => {
    for (const name of PHOTOS) {
      const { content } = await detect(name);
      const total = Object.values(content).reduce((a, b) => a + b, 0);
      expect(total, name).toBeGreaterThan(0.98);
      expect(total, name).toBeLessThan(1.02);
      // The highest is the dog's tan coat, about 0.25 (README "Characteristics").
      expect(sensitivityOf(content), name).toBeLessThan(SENSITIVE_FROM);
    }
  });

  it("disposes every tensor: the count stays at the models' own after many images", async () => {
    const first = await detect("coffee.jpg");
    for (let i = 0; i < 3; i++) await detect("rocket.jpg");
    expect((await detect("coffee.jpg")).tensors).toBe(first.tensors);
  });
});
