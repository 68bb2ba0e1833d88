import { readFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { closeAnalysisPool, detectInImage, warmAnalysisPool } from "@/lib/analysis-pool";
import { modelInput } from "@/lib/characteristics";

const photo = (name: string) => readFile(path.join(import.meta.dirname, "testing/photos", name));
const detect = async (name: string) => detectInImage(await modelInput({ image: await photo(name) }));

afterAll(closeAnalysisPool);

// Real photographs with known content (lib/testing/photos/LICENSES.md). The model is
// small (COCO CenterNet); what it gets right and wrong is in the README's figures.
describe("analysis pool (models in worker threads)", () => {
  it("loads the models from the installed packages, offline", async () => {
    const { loadMs } = await warmAnalysisPool();
    expect(loadMs).toBeGreaterThan(0);
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

  it("disposes every tensor: the count stays at the models' own after many images", async () => {
    const first = await detect("coffee.jpg");
    for (let i = 0; i < 3; i++) await detect("rocket.jpg");
    expect((await detect("coffee.jpg")).tensors).toBe(first.tensors);
  });
});
