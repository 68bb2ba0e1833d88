// A file goes up in parts: the byte ranges to slice, how a part request
// failed (read from the server's answer), and whether that failure is worth
// another try.

import { backoffDelay } from "@/components/upload/retry";
import { NETWORK_ERROR_MESSAGE } from "@/components/upload/progress";

/** The longest a server's Retry-After may stretch one wait. */
export const MAX_RETRY_DELAY_MS = 10_000;

export type PartRange = { index: number; start: number; end: number };

export function partCount(size: number, partSize: number): number {
  if (!(partSize > 0)) throw new RangeError("partSize must be positive");
  return size <= 0 ? 0 : Math.ceil(size / partSize);
}

/** Byte ranges of each part, for `file.slice(start, end)`; the last one may be short. */
export function partRanges(size: number, partSize: number): PartRange[] {
  const count = partCount(size, partSize);
  const out: PartRange[] = [];
  for (let index = 0; index < count; index++) {
    const start = index * partSize;
    out.push({ index, start, end: Math.min(size, start + partSize) });
  }
  return out;
}

/** How a part request failed. `status` is absent for network errors and timeouts. */
export type PartFailure = { status?: number; code?: string; message?: string; retryAfterMs?: number };

export class PartError extends Error {
  readonly failure: PartFailure;
  constructor(failure: PartFailure) {
    super(failure.message ?? (failure.status ? `HTTP ${failure.status}` : "Network error"));
    this.name = "PartError";
    this.failure = failure;
  }
}

/** Network errors, timeouts, 408, 429 and 5xx are worth another try; other answers are final. */
export function isRetryableFailure(failure: PartFailure): boolean {
  const { status } = failure;
  if (status === undefined || status === 0) return true;
  return status === 408 || status === 429 || status >= 500;
}

export function isRetryablePartError(err: unknown): boolean {
  return err instanceof PartError && isRetryableFailure(err.failure);
}

/** Shown on a row while its part waits for the database to come back. */
export const STORAGE_RETRYING_MESSAGE = "Storage unavailable, retrying…";
/**
 * Extra tries when the server says its storage is unavailable (503): a database
 * restart takes longer than a network blip, so the upload waits about two minutes
 * (waits capped at MAX_RETRY_DELAY_MS) before it gives up.
 */
export const UNAVAILABLE_RETRIES = 14;

export function isUnavailablePartError(err: unknown): boolean {
  return err instanceof PartError && (err.failure.code === "unavailable" || err.failure.status === 503);
}

export function partRetryDelay(retry: number, err: unknown): number {
  const base = backoffDelay(retry);
  const hinted = err instanceof PartError ? err.failure.retryAfterMs : undefined;
  return hinted === undefined ? base : Math.max(base, Math.min(hinted, MAX_RETRY_DELAY_MS));
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Reads an ApiError body ({ code, message }); anything else yields nothing. */
export function parseApiError(body: string | null | undefined): { code?: string; message?: string } {
  if (!body) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null) return {};
    const { code, message } = parsed as { code?: unknown; message?: unknown };
    return {
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" && message.trim() ? message : undefined,
    };
  } catch {
    return {};
  }
}

/** What to show for a file whose part failed for good. */
export function partFailureMessage(err: unknown): string {
  if (!(err instanceof PartError)) return NETWORK_ERROR_MESSAGE;
  const { status, message } = err.failure;
  if (message) return message;
  if (status === undefined || isRetryableFailure(err.failure)) return NETWORK_ERROR_MESSAGE;
  return `The server refused the upload (HTTP ${status}).`;
}
