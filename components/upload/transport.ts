// How the upload engine reaches the server. The browser's transport is the
// server actions plus XHR part PUTs (xhr-transport.ts); the unit tests pass an
// in-process one.

import { NETWORK_ERROR_MESSAGE } from "@/components/upload/progress";
import type { BeginUploadResult, GalleryItem } from "@/lib/gallery-types";

/** The subset of ActionState the uploader reads. */
export type ActionResult<T> =
  | { status: "idle" }
  | { status: "success"; data?: T; message?: string }
  | { status: "error"; code: string; message: string; fieldErrors?: Record<string, string[]> };

/**
 * `putPart` reports bytes sent through `onProgress` and rejects with a
 * PartError on failure, or an AbortError once `signal` aborts.
 */
export type UploadTransport = {
  begin(input: { name: string; size: number; head?: string }): Promise<ActionResult<BeginUploadResult>>;
  putPart(uploadId: string, index: number, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void>;
  complete(uploadId: string): Promise<ActionResult<GalleryItem>>;
  abort(uploadId: string): Promise<unknown>;
};

/** What to show for an answer that is not a success: the first field error, else the message. */
export function actionMessage(state: ActionResult<unknown>): string {
  if (state.status !== "error") return NETWORK_ERROR_MESSAGE;
  const field = state.fieldErrors && Object.values(state.fieldErrors).flat()[0];
  return field || state.message || NETWORK_ERROR_MESSAGE;
}
