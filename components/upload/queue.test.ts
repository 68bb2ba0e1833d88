import { describe, expect, it, vi } from "vitest";

import {
  CONCURRENCY,
  type EntryLike,
  NETWORK_ERROR_MESSAGE,
  PART_RETRIES,
  PartError,
  abortError,
  backoffDelay,
  batchMessage,
  collectFiles,
  createPool,
  isAbortError,
  isHiddenName,
  isKnownNonImage,
  isRetryableFailure,
  isRetryablePartError,
  parseApiError,
  parseRetryAfter,
  partCount,
  partFailureMessage,
  partRanges,
  partRetryDelay,
  percent,
  rowPercent,
  sleep,
  statusText,
  summarize,
  tooLargeMessage,
  withRetry,
} from "@/components/upload/queue";

const MiB = 1024 * 1024;

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

describe("sleep", () => {
  it("resolves after the delay and rejects when aborted", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toSatisfy(isAbortError);
  });
});

describe("retry rules", () => {
  it("retries network errors, 408, 429 and 5xx only", () => {
    expect(isRetryableFailure({})).toBe(true);
    expect(isRetryableFailure({ status: 0 })).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isRetryableFailure({ status })).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) expect(isRetryableFailure({ status })).toBe(false);
    expect(isRetryablePartError(new Error("not a part error"))).toBe(false);
  });

  it("backs off 0.5 s, 1 s, 2 s and honours Retry-After up to 10 s", () => {
    expect([0, 1, 2, 3].map(backoffDelay)).toEqual([500, 1000, 2000, 4000]);
    expect(partRetryDelay(0, new PartError({ status: 429, retryAfterMs: 3000 }))).toBe(3000);
    expect(partRetryDelay(2, new PartError({ status: 429, retryAfterMs: 100 }))).toBe(2000);
    expect(partRetryDelay(0, new PartError({ status: 503, retryAfterMs: 3_600_000 }))).toBe(10_000);
  });

  it("parses Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
  });

  it("reads ApiError bodies defensively", () => {
    expect(parseApiError('{"code":"corrupt_image","message":"Broken."}')).toEqual({ code: "corrupt_image", message: "Broken." });
    expect(parseApiError("<html>Bad gateway</html>")).toEqual({});
    expect(parseApiError('"text"')).toEqual({});
    expect(parseApiError('{"code":1,"message":"  "}')).toEqual({ code: undefined, message: undefined });
    expect(parseApiError("")).toEqual({});
  });

  it("shows the server's message, else a network or HTTP message", () => {
    expect(partFailureMessage(new PartError({ status: 415, message: "This file type is not supported." }))).toBe(
      "This file type is not supported.",
    );
    expect(partFailureMessage(new PartError({ status: 503, message: "Try again shortly." }))).toBe("Try again shortly.");
    expect(partFailureMessage(new PartError({}))).toBe(NETWORK_ERROR_MESSAGE);
    expect(partFailureMessage(new PartError({ status: 502 }))).toBe(NETWORK_ERROR_MESSAGE);
    expect(partFailureMessage(new PartError({ status: 413 }))).toBe("The server refused the upload (HTTP 413).");
    expect(partFailureMessage(new TypeError("Failed to fetch"))).toBe(NETWORK_ERROR_MESSAGE);
  });
});

describe("parts", () => {
  it("slices a file into 4 MiB parts with a short last part", () => {
    const size = 9 * MiB + 5;
    expect(partCount(size, 4 * MiB)).toBe(3);
    expect(partRanges(size, 4 * MiB)).toEqual([
      { index: 0, start: 0, end: 4 * MiB },
      { index: 1, start: 4 * MiB, end: 8 * MiB },
      { index: 2, start: 8 * MiB, end: 9 * MiB + 5 },
    ]);
  });

  it("handles exact multiples, tiny and empty files", () => {
    expect(partRanges(8 * MiB, 4 * MiB).map((r) => r.end - r.start)).toEqual([4 * MiB, 4 * MiB]);
    expect(partRanges(1, 4 * MiB)).toEqual([{ index: 0, start: 0, end: 1 }]);
    expect(partRanges(0, 4 * MiB)).toEqual([]);
    expect(() => partCount(10, 0)).toThrow(RangeError);
  });
});

describe("formatting", () => {
  it("words the too-large message so the size never equals the limit", () => {
    expect(tooLargeMessage(120.5 * MiB, 100 * MiB)).toBe("Too large (120.5 MB; the limit is 100 MB).");
    expect(tooLargeMessage(100 * MiB + 1, 100 * MiB)).toBe("Too large (100.1 MB; the limit is 100 MB).");
  });

  it("computes whole percents that reach 100 only when complete", () => {
    expect(percent(0, 100)).toBe(0);
    expect(percent(42.9, 100)).toBe(42);
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
    expect(percent(5, 0)).toBe(0);
  });

  it("announces a batch", () => {
    expect(batchMessage(9, 1)).toBe("Uploaded 9 images; 1 failed.");
    expect(batchMessage(1, 0)).toBe("Uploaded 1 image.");
    expect(batchMessage(0, 2)).toBe("Uploaded 0 images; 2 failed.");
  });

  it("labels each row", () => {
    expect(statusText({ status: "queued", size: 10, loaded: 0 })).toBe("Queued");
    expect(statusText({ status: "uploading", size: 100, loaded: 42 })).toBe("Uploading 42%");
    expect(statusText({ status: "uploading", size: 100, loaded: 42, note: "Storage unavailable, retrying…" })).toBe("Storage unavailable, retrying… (42%)");
    expect(statusText({ status: "uploading", size: 100, loaded: 100 })).toBe("Uploading 99%");
    expect(statusText({ status: "processing", size: 100, loaded: 100 })).toBe("Processing…");
    expect(statusText({ status: "done", size: 100, loaded: 100 })).toBe("Done");
    expect(statusText({ status: "error", size: 100, loaded: 0, error: "This file is empty." })).toBe("This file is empty.");
  });
});

describe("rowPercent", () => {
  it("fills the bar for processing and done, and holds at 99 until the last part is acknowledged", () => {
    expect(rowPercent({ status: "queued", size: 100, loaded: 0 })).toBe(0);
    expect(rowPercent({ status: "uploading", size: 100, loaded: 100 })).toBe(99);
    expect(rowPercent({ status: "processing", size: 100, loaded: 0 })).toBe(100);
    expect(rowPercent({ status: "done", size: 100, loaded: 0 })).toBe(100);
    expect(rowPercent({ status: "error", size: 100, loaded: 30 })).toBe(30);
  });
});

describe("summarize", () => {
  it("counts files and bytes; a failed file stays in the byte total with what it had sent", () => {
    const s = summarize([
      { status: "done", size: 10 * MiB, loaded: 10 * MiB },
      { status: "done", size: 2 * MiB, loaded: 2 * MiB },
      { status: "uploading", size: 8 * MiB, loaded: 0.4 * MiB },
      { status: "processing", size: 1 * MiB, loaded: 0 },
      { status: "queued", size: 18.7 * MiB, loaded: 0 },
      { status: "error", size: 5 * MiB, loaded: 1 * MiB },
    ]);
    expect(s).toMatchObject({ total: 6, done: 2, failed: 1, active: 3 });
    expect(s.bytesLoaded).toBeCloseTo(14.4 * MiB);
    expect(s.bytesTotal).toBeCloseTo(44.7 * MiB);
    expect(s.text).toBe("2 of 6 done · 1 failed · 14.4 MB of 44.7 MB");
    expect(s.percent).toBe(32);
  });

  it("handles an empty queue and a queue of failures", () => {
    expect(summarize([])).toMatchObject({ total: 0, percent: 0, text: "0 of 0 done" });
    expect(summarize([{ status: "error", size: 0, loaded: 0 }])).toMatchObject({ percent: 100, text: "0 of 1 done · 1 failed" });
  });

  it("never shrinks the byte total when a file fails", () => {
    const before = summarize([
      { status: "uploading", size: 4 * MiB, loaded: 1 * MiB },
      { status: "done", size: 2 * MiB, loaded: 2 * MiB },
    ]);
    const after = summarize([
      { status: "error", size: 4 * MiB, loaded: 1 * MiB },
      { status: "done", size: 2 * MiB, loaded: 2 * MiB },
    ]);
    expect(after.bytesTotal).toBe(before.bytesTotal);
    expect(after.bytesLoaded).toBe(before.bytesLoaded);
    expect(after.text).toBe("1 of 2 done · 1 failed · 3 MB of 6 MB");
  });
});

describe("collectFiles", () => {
  type FakeFile = { name: string; type: string };

  const file = (name: string, type = "image/jpeg"): EntryLike<FakeFile> => ({
    name,
    isFile: true,
    isDirectory: false,
    file: (ok) => ok({ name, type }),
  });

  /** A folder whose reader answers in batches of `batchSize`, like Chromium's 100. */
  const dir = (name: string, children: EntryLike<FakeFile>[], batchSize = 2): EntryLike<FakeFile> => ({
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          const batch = children.slice(at, at + batchSize);
          at += batch.length;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  });

  it("walks folders recursively, reading every batch, and skips hidden files", async () => {
    const tree = [
      file("top.jpg"),
      dir("holiday", [
        file("a.jpg"),
        file(".DS_Store", ""),
        file("b.png", "image/png"),
        dir(".thumbnails", [file("t.jpg")]),
        dir("day 2", [file("c.heic", ""), file("d.webp", "image/webp"), file("Thumbs.db", "")]),
        file("e.gif", "image/gif"),
      ]),
    ];
    const files = await collectFiles(tree);
    expect(files.map((f) => f.name)).toEqual(["top.jpg", "a.jpg", "b.png", "c.heic", "d.webp", "e.gif"]);
  });

  it("applies the keep filter and survives unreadable entries", async () => {
    const broken: EntryLike<FakeFile> = { name: "gone.jpg", isFile: true, isDirectory: false, file: (_ok, fail) => fail?.(new Error("NotFound")) };
    const badDir: EntryLike<FakeFile> = {
      name: "locked",
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_ok, fail) => fail?.(new Error("SecurityError")) }),
    };
    const files = await collectFiles([broken, badDir, dir("d", [file("notes.txt", "text/plain"), file("x.jpg")])], (f) => !isKnownNonImage(f.type));
    expect(files.map((f) => f.name)).toEqual(["x.jpg"]);
  });

  it("recognises hidden names and non-image types", () => {
    expect(isHiddenName(".DS_Store")).toBe(true);
    expect(isHiddenName("._IMG_0001.JPG")).toBe(true);
    expect(isHiddenName("desktop.ini")).toBe(true);
    expect(isHiddenName("IMG_0001.JPG")).toBe(false);
    expect(isKnownNonImage("")).toBe(false);
    expect(isKnownNonImage("image/heic")).toBe(false);
    expect(isKnownNonImage("application/json")).toBe(true);
  });
});
