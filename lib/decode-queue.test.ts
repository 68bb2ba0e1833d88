import { describe, expect, it } from "vitest";

import { analyzeImage } from "@/lib/analyze";
import { limits } from "@/lib/config";
import { createWorkQueue, decodeQueue } from "@/lib/decode-queue";
import { makePng } from "@/lib/testing/fixtures";

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("createWorkQueue", () => {
  it("runs at most `concurrency` at once, and starts waiting work in call order", async () => {
    const queue = createWorkQueue({ concurrency: 2 });
    const gates = Array.from({ length: 6 }, gate);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const results = gates.map((g, i) =>
      queue.run(async () => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${i}`);
        await g.opened;
        await ticks(1);
        running -= 1;
        log.push(`end ${i}`);
        return i;
      }),
    );
    await ticks();
    expect(log).toEqual(["start 0", "start 1"]);
    expect([queue.active, queue.waiting]).toEqual([2, 4]);
    // Finish out of order: the freed slot still goes to the oldest waiter.
    gates[1].open();
    await ticks();
    expect(log).toEqual(["start 0", "start 1", "end 1", "start 2"]);
    for (const g of [gates[3], gates[0], gates[2], gates[5], gates[4]]) g.open();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.filter((e) => e.startsWith("start"))).toEqual(["start 0", "start 1", "start 2", "start 3", "start 4", "start 5"]);
    expect(most).toBe(2);
    expect([queue.active, queue.waiting]).toEqual([0, 0]);
  });

  it("a failure reaches its caller and frees the slot, whether it rejects or throws at once", async () => {
    const queue = createWorkQueue({ concurrency: 1 });
    const rejects = queue.run(async () => {
      await ticks(1);
      throw new Error("decoder failed");
    });
    const throws = queue.run(() => {
      throw new Error("thrown at once");
    });
    const after = queue.run(async () => "ran");
    await expect(rejects).rejects.toThrow("decoder failed");
    await expect(throws).rejects.toThrow("thrown at once");
    expect(await after).toBe("ran");
    expect([queue.active, queue.waiting]).toEqual([0, 0]);
  });

  it("refuses a concurrency below one", () => {
    expect(() => createWorkQueue({ concurrency: 0 })).toThrow();
    expect(() => createWorkQueue({ concurrency: 1.5 })).toThrow();
  });
});

describe("analyzeImage goes through the decode queue", () => {
  it(`decodes at most ANALYZE_CONCURRENCY images at once; the next one's input stays unread until a slot frees`, async () => {
    const png = await makePng({ width: 64, height: 48 });
    const n = limits.analyzeConcurrency + 1;
    const gates = Array.from({ length: n }, gate);
    const log: string[] = [];
    async function* source(i: number): AsyncGenerator<Buffer> {
      log.push(`read ${i}`);
      await gates[i].opened;
      yield png;
    }
    const analyses = gates.map((_, i) =>
      analyzeImage({ source: source(i), mime: "image/png" }).then((r) => {
        log.push(`done ${i}`);
        return r;
      }),
    );
    await ticks();
    expect([decodeQueue.active, decodeQueue.waiting]).toEqual([n - 1, 1]);
    expect(log).toEqual(Array.from({ length: n - 1 }, (_, i) => `read ${i}`));
    // Still unread while every slot is busy; read once the first analysis has finished.
    await ticks(20);
    expect(log).not.toContain(`read ${n - 1}`);
    gates[0].open();
    await analyses[0];
    expect(log).toContain(`read ${n - 1}`);
    for (const g of gates) g.open();
    const results = await Promise.all(analyses);
    expect(results.every((r) => r.width === 64 && r.height === 48)).toBe(true);
    expect([decodeQueue.active, decodeQueue.waiting]).toEqual([0, 0]);
  });
});
