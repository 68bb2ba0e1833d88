import { describe, expect, it, vi } from "vitest";

import { abortError, isAbortError } from "@/components/upload/abort";
import { PartError, isRetryablePartError, partRetryDelay } from "@/components/upload/parts";
import { PART_RETRIES, withRetry } from "@/components/upload/retry";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("withRetry", () => {
  const noWait = vi.fn(async () => {});

  it("retries retryable errors with 0.5 s, 1 s, 2 s and then gives up", async () => {
    const waits: number[] = [];
    const fn = vi.fn(async () => {
      throw new PartError({ status: 503 });
    });
    await expect(
      withRetry(fn, {
        retries: PART_RETRIES,
        shouldRetry: isRetryablePartError,
        delayMs: partRetryDelay,
        wait: async (ms) => {
          waits.push(ms);
        },
      }),
    ).rejects.toBeInstanceOf(PartError);
    expect(fn).toHaveBeenCalledTimes(4);
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it("returns as soon as an attempt succeeds", async () => {
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 2) throw new PartError({});
        return "ok";
      },
      { retries: 3, shouldRetry: isRetryablePartError, delayMs: partRetryDelay, wait: noWait },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
  });

  it("does not retry a final error", async () => {
    const fn = vi.fn(async () => {
      throw new PartError({ status: 415, code: "unsupported_type", message: "This file type is not supported." });
    });
    await expect(withRetry(fn, { retries: 3, shouldRetry: isRetryablePartError, delayMs: partRetryDelay, wait: noWait })).rejects.toThrow(
      "This file type is not supported.",
    );
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("stops at once when aborted, including during the wait", async () => {
    const controller = new AbortController();
    const fn = vi.fn(async () => {
      throw new PartError({ status: 500 });
    });
    const running = withRetry(fn, { retries: 3, shouldRetry: () => true, delayMs: () => 60_000, signal: controller.signal });
    await tick();
    controller.abort();
    await expect(running).rejects.toSatisfy(isAbortError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("never retries an AbortError", async () => {
    const fn = vi.fn(async () => {
      throw abortError();
    });
    await expect(withRetry(fn, { retries: 3, shouldRetry: () => true, delayMs: () => 0, wait: noWait })).rejects.toSatisfy(isAbortError);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
