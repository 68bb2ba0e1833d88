import "server-only";

/**
 * Every failure the app reports to a user has one of these codes. Messages are
 * written for people; database and driver text never reaches a response.
 */
export const ERROR_CODES = {
  unauthorized: "Please sign in again.",
  not_found: "Not found.",
  invalid_input: "Some fields need attention.",
  conflict: "That already exists.",
  rate_limited: "Too many attempts. Please wait and try again.",
  quota_exceeded: "Your storage quota is full.",
  too_large: "The file is too large.",
  empty_file: "The file is empty.",
  unsupported_type: "This file type is not supported.",
  corrupt_image: "The image is damaged or incomplete and cannot be read.",
  image_too_big: "The image has too many pixels to process.",
  upload_incomplete: "The upload is missing parts.",
  integrity: "Stored data failed its integrity check.",
  unavailable: "The service is temporarily unavailable. Please try again shortly.",
  internal: "Something went wrong. Please try again.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: Record<string, string[]>;
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string = ERROR_CODES[code],
    extra: { fieldErrors?: Record<string, string[]>; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = extra.fieldErrors;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

const UNAVAILABLE_ERRORS = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoTopologyClosedError",
  "MongoNotConnectedError",
  "PoolClosedError",
]);

/**
 * Turns any thrown value into something safe to show. Unknown errors are
 * logged on the server with their full text and answered generically.
 */
export function toPublicError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const name = err instanceof Error ? err.name : "";
  if (UNAVAILABLE_ERRORS.has(name)) {
    console.error("[db unavailable]", err);
    return new AppError("unavailable");
  }
  console.error("[internal error]", err);
  return new AppError("internal");
}

/** Maps the driver's duplicate-key error (E11000) to a typed conflict. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
