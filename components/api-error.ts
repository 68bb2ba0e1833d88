// Failed requests as sentences for people: every client fetch of the JSON API
// (listings, details, albums, share pages) reports its errors through these.

import type { ApiError } from "@/lib/gallery-types";

/** The `message` of a JSON `{ code, message }` error body, or a generic sentence for the status. */
export async function readApiError(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as Partial<ApiError> | null;
    if (body && typeof body.message === "string" && body.message.trim()) return body.message;
  } catch {
    // not JSON; fall through
  }
  if (res.status === 401) return "Your session has ended. Sign in again to continue.";
  if (res.status === 429) return "Too many requests. Wait a moment and try again.";
  return `Something went wrong (HTTP ${res.status}).`;
}

/** A thrown fetch error as a sentence for people. */
export function networkErrorMessage(err: unknown): string {
  if (err instanceof Error && err.message && !(err instanceof TypeError)) return err.message;
  return "Couldn't reach the server. Check your connection and try again.";
}
