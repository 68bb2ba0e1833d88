import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db";
import { tryLock, withLock } from "@/lib/locks";

describe("locks", () => {
  it("never lets two holders in at once, even across 20 parallel callers", async () => {
    let inside = 0;
    let maxInside = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withLock({ name: "t:mutex", waitMs: 30_000 }, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
          runs++;
        }),
      ),
    );
    expect(runs).toBe(20);
    expect(maxInside).toBe(1);
  });

  it("releases the lock when the work throws", async () => {
    await expect(withLock({ name: "t:throws" }, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    const again = await tryLock({ name: "t:throws", ttlMs: 1000 });
    expect(again).not.toBeNull();
    await again!.release();
  });

  it("takes over a lock whose holder died, but not a live one", async () => {
    const live = await tryLock({ name: "t:dead", ttlMs: 60_000 });
    expect(await tryLock({ name: "t:dead", ttlMs: 1000 })).toBeNull();
    // The holder "crashes": its lock is never released and runs out.
    await (await getDb()).collection("locks").updateOne({ _id: "t:dead" } as never, { $set: { expiresAt: new Date(Date.now() - 1) } });
    const next = await tryLock({ name: "t:dead", ttlMs: 1000 });
    expect(next).not.toBeNull();
    // The old holder's late release must not free the new holder's lock.
    await live!.release();
    expect(await tryLock({ name: "t:dead", ttlMs: 1000 })).toBeNull();
    await next!.release();
  });
});
