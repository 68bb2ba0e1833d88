import { describe, expect, it } from "vitest";

import { batchMessage, percent, rowPercent, statusText, summarize, tooLargeMessage } from "@/components/upload/progress";

const MiB = 1024 * 1024;

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
