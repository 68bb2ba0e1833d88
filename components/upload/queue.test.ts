import { describe, expect, it, vi } from "vitest";

import { isAbortError } from "@/components/upload/abort";
import { CONCURRENCY, createPool } from "@/components/upload/queue";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("createPool", () => {
  it("runs at most `limit` tasks at once and starts queued ones as slots free up", async () => {
    const pool = createPool(CONCURRENCY);
    const gates = Array.from({ length: 5 }, () => deferred<number>());
    const started: number[] = [];
    const results = gates.map((gate, i) =>
      pool.run(() => {
        started.push(i);
        return gate.promise;
      }),
    );
    const allSettled = Promise.allSettled(results);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(pool.active).toBe(3);
    expect(pool.pending).toBe(2);

    gates[1].resolve(1);
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);

    gates[0].reject(new Error("boom"));
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);

    gates[2].resolve(2);
    gates[3].resolve(3);
    gates[4].resolve(4);
    const settled = await allSettled;
    expect(settled.map((s) => s.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(pool.active).toBe(0);
    expect(pool.pending).toBe(0);
  });

  it("a task that throws synchronously frees its slot", async () => {
    const pool = createPool(1);
    await expect(
      pool.run(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    await expect(pool.run(async () => "next")).resolves.toBe("next");
  });

  it("drops a queued task whose signal aborts, without running it", async () => {
    const pool = createPool(1);
    const gate = deferred();
    const first = pool.run(() => gate.promise);
    const controller = new AbortController();
    const task = vi.fn(async () => "never");
    const second = pool.run(task, controller.signal);
    controller.abort();
    await expect(second).rejects.toSatisfy(isAbortError);
    expect(pool.pending).toBe(0);
    gate.resolve();
    await first;
    expect(task).not.toHaveBeenCalled();
  });

  it("refuses an already aborted signal and a bad limit", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createPool(2).run(async () => 1, controller.signal)).rejects.toSatisfy(isAbortError);
    expect(() => createPool(0)).toThrow(RangeError);
  });
});
