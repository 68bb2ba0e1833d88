import { afterEach, describe, expect, it, vi } from "vitest";

import { clearAttempts, isRateLimited, limitKey, reserveAttempt, type LimitKey } from "@/lib/rate-limit";
import { readsDuring } from "@/lib/testing/db-reads";

// Only Date is set: the driver's own timers and sockets stay real.
function at(ms: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(ms);
}

afterEach(() => vi.useRealTimers());

let n = 0;
const fresh = (limit: number, windowSeconds = 300): LimitKey => ({
  key: limitKey("rate-limit-test", `${Date.now()}-${n++}-${Math.random()}`),
  rule: { limit, windowSeconds },
});
const attempt = (k: LimitKey) =>
  reserveAttempt({ keys: [k], message: (w) => `wait ${w}` }).then(
    () => "ok",
    (e) => (e.code === "rate_limited" ? `limited ${e.retryAfterSeconds}` : Promise.reject(e)),
  );

// Far from "now", and on a window boundary for every window length used here.
const BOUNDARY = Date.UTC(2030, 0, 1);

describe("rate limit windows", () => {
  it("keeps an address refused across a window boundary (the limit is not a fresh one every five minutes)", async () => {
    const k = fresh(5);
    at(BOUNDARY - 2_000);
    for (let i = 0; i < 5; i++) expect(await attempt(k)).toBe("ok");
    expect(await attempt(k)).toMatch(/^limited /);
    at(BOUNDARY + 1_000);
    expect(await attempt(k)).toMatch(/^limited /);
    expect(await isRateLimited(k)).toBeGreaterThan(0);
  });

  it("frees a slot as each old attempt slides out, and says exactly how long to wait", async () => {
    const k = fresh(5, 100);
    for (let i = 5; i >= 1; i--) {
      at(BOUNDARY - i * 10_000);
      expect(await attempt(k)).toBe("ok");
    }
    at(BOUNDARY + 1_000);
    // The oldest attempt (50 s before the boundary) leaves the 100 s window 49 s from now.
    expect(await attempt(k)).toBe("limited 49");
    at(BOUNDARY + 50_001);
    expect(await attempt(k)).toBe("ok");
    expect(await attempt(k)).toBe("limited 10");
    expect(await isRateLimited(k)).toBe(10);
    at(BOUNDARY + 100_001);
    expect(await isRateLimited(k)).toBeNull();
    // Only the one attempt made after the boundary still counts.
    for (let i = 0; i < 4; i++) expect(await attempt(k)).toBe("ok");
    expect(await attempt(k)).toMatch(/^limited /);
  });

  it("does not let a limit be spent twice at the boundary", async () => {
    const k = fresh(10);
    at(BOUNDARY - 1_000);
    for (let i = 0; i < 10; i++) await attempt(k);
    at(BOUNDARY + 1_000);
    const after = [];
    for (let i = 0; i < 10; i++) after.push(await attempt(k));
    expect(after.filter((o) => o === "ok")).toEqual([]);
  });

  it("clears both windows on success, so a user who got in starts afresh", async () => {
    const k = fresh(3);
    at(BOUNDARY - 1_000);
    for (let i = 0; i < 3; i++) await attempt(k);
    at(BOUNDARY + 1_000);
    expect(await attempt(k)).toMatch(/^limited /);
    await clearAttempts({ keys: [k] });
    expect(await attempt(k)).toBe("ok");
  });
});

describe("a refused key under a flood", () => {
  it("is answered from memory until its wait ends, then read again", async () => {
    const k = fresh(3, 60);
    at(BOUNDARY + 1_000);
    for (let i = 0; i < 3; i++) await attempt(k);
    const reads = await readsDuring(async () => {
      for (let i = 0; i < 50; i++) expect(await isRateLimited(k)).toBe(60);
    });
    // One look at the slots (one equality find), then memory.
    expect(reads.filter((c) => c.find === "login_attempts")).toHaveLength(1);
    at(BOUNDARY + 61_000);
    const later = await readsDuring(async () => expect(await isRateLimited(k)).toBeNull());
    expect(later.filter((c) => c.find === "login_attempts")).toHaveLength(1);
  });

  it("forgets a key once a success clears it", async () => {
    const k = fresh(2, 60);
    at(BOUNDARY + 1_000);
    for (let i = 0; i < 2; i++) await attempt(k);
    expect(await isRateLimited(k)).toBe(60);
    await clearAttempts({ keys: [k] });
    expect(await isRateLimited(k)).toBeNull();
  });
});
