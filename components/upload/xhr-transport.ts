// The browser's UploadTransport: begin/complete/abort are the server actions,
// parts are XHR PUTs to /api/uploads/{id}/parts/{n} (XHR, unlike fetch, reports
// upload progress). Stall detection lives in the engine, not here.

import { abortUploadAction, beginUploadAction, completeUploadAction } from "@/app/(gallery)/actions";
import { runAction } from "@/components/run-action";
import { abortError } from "@/components/upload/abort";
import { PartError, parseApiError, parseRetryAfter } from "@/components/upload/parts";
import type { UploadTransport } from "@/components/upload/transport";

export const partUrl = (uploadId: string, index: number) => `/api/uploads/${encodeURIComponent(uploadId)}/parts/${index}`;

/**
 * PUTs one part. Rejects with a PartError for HTTP and network failures and
 * with an AbortError when `signal` aborts.
 */
export function xhrPutPart(url: string, body: Blob, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const settle = () => signal.removeEventListener("abort", onAbort);

    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      settle();
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      reject(
        new PartError({
          status: xhr.status,
          ...parseApiError(xhr.responseText),
          retryAfterMs: parseRetryAfter(xhr.getResponseHeader("Retry-After")),
        }),
      );
    };
    xhr.onerror = () => {
      settle();
      reject(new PartError({}));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      settle();
      reject(abortError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
    xhr.send(body);
  });
}

/**
 * begin and complete let a failed request throw: the engine retries begin and
 * reports complete's failure itself. abort is best effort.
 */
export const xhrTransport: UploadTransport = {
  begin: (input) => runAction(beginUploadAction, input, { throwOnNetworkError: true }),
  putPart: (uploadId, index, body, onProgress, signal) => xhrPutPart(partUrl(uploadId, index), body, onProgress, signal),
  complete: (uploadId) => runAction(completeUploadAction, { uploadId }, { throwOnNetworkError: true }),
  abort: (uploadId) => runAction(abortUploadAction, { uploadId }),
};
