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
  passkey_unknown: "This passkey is not registered here: it was removed, or its account was deleted. Sign in with your password.",
  passkey_failed: "The passkey could not be verified. Please try again.",
  passkey_expired: "This passkey request expired or was already used. Please try again.",
  last_sign_in_method: "This is the account's only way to sign in, so it cannot be removed.",
  registration_closed: "Registration is closed on this server. Ask its owner for an account.",
  quota_exceeded: "Your storage quota is full.",
  too_large: "The file is too large.",
  empty_file: "The file is empty.",
  unsupported_type: "This file type is not supported.",
  corrupt_image: "The image is damaged or incomplete and cannot be read.",
  image_too_big: "The image has too many pixels to process.",
  upload_incomplete: "The upload is missing parts.",
  integrity: "Stored data failed its integrity check.",
  unavailable: "Storage is unavailable. Please try again in a moment.",
  storage_full: "The server's storage is full, so nothing was saved. Please try again later or tell the server's owner.",
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
  "MongoPoolClearedError",
  "MongoServerClosedError",
  "MongoWaitQueueTimeoutError",
  "PoolClosedError",
]);
const UNAVAILABLE_SYSCALLS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOENT", "EHOSTUNREACH"]);

/**
 * The database (or the way to it) is down, rather than the request being wrong.
 * Write failures arrive wrapped (a bulk write error, a pool cleared by an
 * earlier network error), so the cause chain and the driver's labels count too.
 */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const name = err instanceof Error ? err.name : "";
  if (UNAVAILABLE_ERRORS.has(name)) return true;
  const labels = (err as { errorLabelSet?: Set<string> }).errorLabelSet;
  if (labels?.has("NetworkError") || labels?.has("ResetPool")) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_SYSCALLS.has(code) && name.startsWith("Mongo")) return true;
  // A bulk write keeps the failure that stopped it in `errorResponse`; others use `cause`.
  const inner = err as { cause?: unknown; errorResponse?: unknown };
  return isUnavailableError(inner.cause, depth + 1) || (inner.errorResponse instanceof Error && isUnavailableError(inner.errorResponse, depth + 1));
}

// The database refused a write for lack of space: PostgreSQL's "No space left on device" /
// "could not extend file" (FerretDB passes its text on), MongoDB's OutOfDiskSpace (14031),
// Atlas's storage quota (8000 "space quota"), or a database switched read-only to protect a full disk.
const STORAGE_FULL_TEXT = /no space left on device|could not extend file|disk full|over your space quota|read-only transaction/i;

/** The database is there but cannot store more: a different message from "unavailable", and not worth an instant retry. */
export function isStorageFullError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const { code, message, cause, errorResponse } = err as { code?: unknown; message?: unknown; cause?: unknown; errorResponse?: unknown };
  if (code === 14031) return true;
  if (typeof message === "string" && (err instanceof Error ? err.name : "").startsWith("Mongo") && STORAGE_FULL_TEXT.test(message)) return true;
  return isStorageFullError(cause, depth + 1) || (errorResponse instanceof Error && isStorageFullError(errorResponse, depth + 1));
}

/**
 * Turns any thrown value into something safe to show. Unknown errors are
 * logged on the server with their full text and answered generically.
 */
export function toPublicError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (isUnavailableError(err)) {
    console.error("[db unavailable]", err instanceof Error ? `${err.name}: ${err.message}` : err);
    return new AppError("unavailable");
  }
  if (isStorageFullError(err)) {
    console.error("[storage full]", err instanceof Error ? `${err.name}: ${err.message}` : err);
    return new AppError("storage_full");
  }
  console.error("[internal error]", err);
  return new AppError("internal");
}

/** Maps the driver's duplicate-key error (E11000) to a typed conflict. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
