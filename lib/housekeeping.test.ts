import { describe, expect, it } from "vitest";

import { runCronPurge } from "@/lib/cron";
import { runHousekeeping } from "@/lib/housekeeping";
import { HOUSEKEEPING_LEASE, tryLock } from "@/lib/locks";

describe("housekeeping", () => {
  it("runs one pass at a time across callers: a pass while the lease is held does nothing", async () => {
    const held = await tryLock({ name: HOUSEKEEPING_LEASE, ttlMs: 60_000 });
    expect(held).not.toBeNull();
    expect(await runHousekeeping()).toEqual({ ran: false });
    await held!.release();
    const run = await runHousekeeping();
    expect(run).toMatchObject({ ran: true, failed: [] });
    // Released afterwards: the next pass runs too.
    expect((await runHousekeeping()).ran).toBe(true);
  });

  it("overlapping passes never both run", async () => {
    const runs = await Promise.all(Array.from({ length: 6 }, () => runHousekeeping()));
    expect(runs.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
    expect(runs.filter((r) => r.ran).length).toBeLessThan(runs.length);
  });

  it("the cron entry point answers 404 without CRON_SECRET or with a wrong bearer", async () => {
    const saved = process.env.CRON_SECRET;
    try {
      delete process.env.CRON_SECRET;
      await expect(runCronPurge({ authorization: "Bearer " })).rejects.toMatchObject({ code: "not_found" });
      process.env.CRON_SECRET = "s3cret-for-the-test";
      await expect(runCronPurge({ authorization: null })).rejects.toMatchObject({ code: "not_found" });
      await expect(runCronPurge({ authorization: "Bearer wrong" })).rejects.toMatchObject({ code: "not_found" });
      await expect(runCronPurge({ authorization: "Bearer s3cret-for-the-test" })).resolves.toMatchObject({ ran: true });
    } finally {
      if (saved === undefined) delete process.env.CRON_SECRET;
      else process.env.CRON_SECRET = saved;
    }
  });
});
