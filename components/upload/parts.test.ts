import { describe, expect, it } from "vitest";

import {
  PartError,
  isRetryableFailure,
  isRetryablePartError,
  parseApiError,
  parseRetryAfter,
  partCount,
  partFailureMessage,
  partRanges,
  partRetryDelay,
} from "@/components/upload/parts";
import { NETWORK_ERROR_MESSAGE } from "@/components/upload/progress";
import { backoffDelay } from "@/components/upload/retry";

const MiB = 1024 * 1024;

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
