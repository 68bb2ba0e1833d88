// Assertions on the typed errors of lib/errors.ts, shared by the image tests.
import { expect } from "vitest";

import { AppError, type ErrorCode } from "@/lib/errors";

/** The AppError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected the call to fail").toBeInstanceOf(AppError);
  return err as AppError;
}

/** Expects an AppError of `code` whose message is written for people, not the image library's own words. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const err = await rejection(promise);
  expect(err.code).toBe(code);
  expect(err.message).not.toMatch(/vips|libpng|jpeg:|gifload|heif:|source:|Input buffer/i);
  return err;
}
