import { describe, expect, it, vi } from "vitest";

import { UploadEngine } from "@/components/upload/engine";
import { abortError } from "@/components/upload/abort";
import { PartError, STORAGE_RETRYING_MESSAGE } from "@/components/upload/parts";
import { NETWORK_ERROR_MESSAGE, summarize } from "@/components/upload/progress";
import { PART_RETRIES } from "@/components/upload/retry";
import type { UploadTransport } from "@/components/upload/transport";

// The engine against an in-process transport that implements the same interface
// as the browser's XHR one: no network, no mocks of fetch or XHR, real timers.

type Attempt = { uploadId: string; index: number; size: number; signal: AbortSignal };
type PartBehaviour = (attempt: Attempt, n: number, onProgress: (loaded: number) => void) => Promise<void>;

function transport(partBehaviour: PartBehaviour, { partSize = 4 }: { partSize?: number } = {}) {
  const log: string[] = [];
  const attempts: Attempt[] = [];
  let uploads = 0;
  const t: UploadTransport = {
    async begin({ name, size }) {
      log.push(`begin ${name}`);
      return { status: "success", data: { uploadId: `u${++uploads}`, partSize, partCount: Math.ceil(size / partSize) } };
    },
    putPart(uploadId, index, body, onProgress, signal) {
      const attempt = { uploadId, index, size: body.size, signal };
      attempts.push(attempt);
      log.push(`put ${uploadId}/${index}`);
      const n = attempts.filter((a) => a.uploadId === uploadId && a.index === index).length;
      return partBehaviour(attempt, n, onProgress);
    },
    async complete(uploadId) {
      log.push(`complete ${uploadId}`);
      return { status: "success", data: { id: uploadId, name: uploadId } as never };
    },
    async abort(uploadId) {
      log.push(`abort ${uploadId}`);
    },
  };
  return { t, log, attempts };
}

/** Resolves when the signal aborts, rejecting like a transport does. */
const hangUntilAborted = (signal: AbortSignal) =>
  new Promise<void>((_, reject) => {
    if (signal.aborted) return reject(abortError());
    signal.addEventListener("abort", () => reject(abortError()), { once: true });
  });

const file = (name: string, size: number) => new File([new Uint8Array(size)], name, { type: "image/png" });

async function settled(engine: UploadEngine) {
  await vi.waitFor(
    () => {
      const { rows } = engine.getSnapshot();
      if (rows.length === 0 || rows.some((row) => row.status !== "done" && row.status !== "error")) throw new Error("busy");
    },
    { timeout: 5_000, interval: 5 },
  );
}

const fast = { retryDelayMs: () => 1 };

describe("UploadEngine: retries", () => {
  it("retries a part that failed with a retryable status and then finishes the file", async () => {
    const { t, log } = transport(async (a, n, onProgress) => {
      if (a.index === 1 && n <= 2) throw new PartError({ status: 503 });
      onProgress(a.size);
    });
    const uploaded: string[] = [];
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: (item) => uploaded.push(item.id) }, t, fast);
    engine.add([file("a.png", 10)]);
    await settled(engine);
    expect(engine.getSnapshot().rows).toEqual([expect.objectContaining({ name: "a.png", status: "done", loaded: 10 })]);
    // Two parts travel at once, so only each part's attempts and the ends are in a fixed order.
    expect(log[0]).toBe("begin a.png");
    expect(log.at(-1)).toBe("complete u1");
    expect(log.filter((l) => l === "put u1/1")).toHaveLength(3);
    expect(log.filter((l) => l === "put u1/0" || l === "put u1/2").sort()).toEqual(["put u1/0", "put u1/2"]);
    expect(uploaded).toEqual(["u1"]);
    expect(engine.getSnapshot().announcement).toBe("Uploaded 1 image.");
  });

  it("keeps two parts of one file on the wire at once, never more, and counts progress over both", async () => {
    let inFlight = 0;
    let most = 0;
    const loadedSeen: number[] = [];
    const { t } = transport(async (a, _n, onProgress) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      onProgress(a.size);
      inFlight--;
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast);
    engine.subscribe(() => loadedSeen.push(engine.getSnapshot().rows[0]?.loaded ?? 0));
    engine.add([file("big.png", 40)]);
    await settled(engine);
    expect(most).toBe(2);
    expect(engine.getSnapshot().rows).toEqual([expect.objectContaining({ status: "done", loaded: 40 })]);
    expect(Math.max(...loadedSeen)).toBe(40);
    // Progress never runs backwards while parts finish out of order.
    expect(loadedSeen.every((v, i) => i === 0 || v >= loadedSeen[i - 1])).toBe(true);
  });

  it("stops the other part when one fails for good, and fails the file once", async () => {
    const { t, log } = transport(async (a, _n, onProgress) => {
      if (a.index === 1) throw new PartError({ status: 400, message: "Nope." });
      if (a.index === 0) return hangUntilAborted(a.signal);
      onProgress(a.size);
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast);
    engine.add([file("bad.png", 20)]);
    await settled(engine);
    expect(engine.getSnapshot().rows).toEqual([expect.objectContaining({ status: "error" })]);
    // Nothing after the failure: no third part, no complete; the upload is aborted on the server.
    expect(log.filter((l) => l.startsWith("put"))).toEqual(["put u1/0", "put u1/1"]);
    expect(log).toContain("abort u1");
    expect(log).not.toContain("complete u1");
  });

  it("waits longer for storage that is unavailable (503), saying so on the row, and then finishes", async () => {
    const notes = new Set<string>();
    const seen: { engine?: UploadEngine } = {};
    const { t, log } = transport(async (a, n, onProgress) => {
      // Far more failures than PART_RETRIES: a database restart, not a blip.
      if (a.index === 1 && n <= PART_RETRIES + 5) {
        throw new PartError({ status: 503, code: "unavailable", message: "Storage is unavailable. Please try again in a moment." });
      }
      for (const row of seen.engine!.getSnapshot().rows) if (row.note) notes.add(row.note);
      onProgress(a.size);
    });
    const engine = (seen.engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast));
    engine.add([file("a.png", 10)]);
    await settled(engine);
    expect(engine.getSnapshot().rows).toEqual([expect.objectContaining({ status: "done", note: undefined })]);
    expect(notes).toEqual(new Set([STORAGE_RETRYING_MESSAGE]));
    expect(log.filter((l) => l === "put u1/1")).toHaveLength(PART_RETRIES + 6);
  });

  it("gives up after PART_RETRIES retries, says why, and aborts the upload on the server", async () => {
    const { t, log } = transport(async () => {
      throw new PartError({});
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast);
    engine.add([file("b.png", 3)]);
    await settled(engine);
    expect(engine.getSnapshot().rows[0]).toMatchObject({ status: "error", error: NETWORK_ERROR_MESSAGE });
    expect(log.filter((l) => l.startsWith("put"))).toHaveLength(PART_RETRIES + 1);
    await vi.waitFor(() => expect(log.at(-1)).toBe("abort u1"));
    expect(engine.getSnapshot().announcement).toBe("Uploaded 0 images; 1 failed.");
  });

  it("does not retry a final answer (4xx) and shows the server's message", async () => {
    const { t, log } = transport(async () => {
      throw new PartError({ status: 415, message: "This file type is not supported." });
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast);
    engine.add([file("c.png", 3)]);
    await settled(engine);
    expect(engine.getSnapshot().rows[0]).toMatchObject({ status: "error", error: "This file type is not supported." });
    expect(log.filter((l) => l.startsWith("put"))).toEqual(["put u1/0"]);
  });

  it("retries begin when the action could not be reached", async () => {
    const { t, log } = transport(async (a, _n, onProgress) => onProgress(a.size));
    let calls = 0;
    const begin = t.begin;
    t.begin = async (input) => {
      if (++calls === 1) throw new TypeError("Failed to fetch");
      return begin(input);
    };
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast);
    engine.add([file("d.png", 2)]);
    await settled(engine);
    expect(calls).toBe(2);
    expect(engine.getSnapshot().rows[0].status).toBe("done");
    expect(log).toContain("complete u1");
  });

  it("keeps the batch's byte total when one file fails and another succeeds", async () => {
    const { t } = transport(async (a, _n, onProgress) => {
      if (a.uploadId === "u1") throw new PartError({ status: 400, message: "Refused." });
      onProgress(a.size);
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, fast);
    engine.add([file("bad.png", 6), file("good.png", 8)]);
    await settled(engine);
    const summary = summarize(engine.getSnapshot().rows);
    expect(summary).toMatchObject({ done: 1, failed: 1, bytesTotal: 14 });
    expect(summary.text).toBe("1 of 2 done · 1 failed · 8 B of 14 B");
  });
});

describe("UploadEngine: stalls", () => {
  it("abandons a part that makes no progress for stallMs and retries it", async () => {
    const { t, attempts } = transport(async (a, n, onProgress) => {
      if (n === 1) return hangUntilAborted(a.signal);
      onProgress(a.size);
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, { ...fast, stallMs: 40 });
    const started = Date.now();
    engine.add([file("e.png", 4)]);
    await settled(engine);
    expect(engine.getSnapshot().rows[0].status).toBe("done");
    expect(attempts).toHaveLength(2);
    expect(attempts[0].signal.aborted).toBe(true);
    expect(attempts[1].signal.aborted).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  it("does not call a part stalled while progress keeps arriving", async () => {
    const { t, attempts } = transport(async (a, _n, onProgress) => {
      for (let sent = 1; sent <= 8; sent++) {
        await new Promise((r) => setTimeout(r, 15));
        if (a.signal.aborted) throw abortError();
        onProgress(Math.min(sent, a.size));
      }
    });
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, { ...fast, stallMs: 60 });
    engine.add([file("f.png", 4)]);
    await settled(engine);
    expect(engine.getSnapshot().rows[0].status).toBe("done");
    expect(attempts).toHaveLength(1);
  });

  it("fails the file with a network error once every attempt has stalled", async () => {
    const { t, attempts, log } = transport((a) => hangUntilAborted(a.signal));
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, { ...fast, stallMs: 10 });
    engine.add([file("g.png", 4)]);
    await settled(engine);
    expect(engine.getSnapshot().rows[0]).toMatchObject({ status: "error", error: NETWORK_ERROR_MESSAGE });
    expect(attempts).toHaveLength(PART_RETRIES + 1);
    expect(attempts.every((a) => a.signal.aborted)).toBe(true);
    await vi.waitFor(() => expect(log.at(-1)).toBe("abort u1"));
  });

  it("a cancel during a stalled part ends it at once, without a retry", async () => {
    const { t, attempts, log } = transport((a) => hangUntilAborted(a.signal));
    const engine = new UploadEngine({ maxBytes: 1000, onUploaded: () => {} }, t, { ...fast, stallMs: 10_000 });
    engine.add([file("h.png", 4)]);
    await vi.waitFor(() => expect(attempts).toHaveLength(1));
    engine.cancel(engine.getSnapshot().rows[0].id);
    expect(engine.getSnapshot().rows).toEqual([]);
    await vi.waitFor(() => expect(log.at(-1)).toBe("abort u1"));
    expect(attempts).toHaveLength(1);
    expect(attempts[0].signal.aborted).toBe(true);
  });
});
