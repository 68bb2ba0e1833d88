import "server-only";

import http from "node:http";

/**
 * Next 16.4's route-handler path drops a Response's `Content-Length`
 * (`server/send-response.js` skips content-length, content-encoding and
 * transfer-encoding on every response) and pipes the body chunk by chunk, so
 * Node answers `Transfer-Encoding: chunked` and a browser shows no size or
 * time left for a download. Route handlers that know their exact length
 * state it in BODY_LENGTH_HEADER instead; the hook below, installed once
 * from instrumentation in the process that owns the HTTP server, turns that
 * into the real header. A body that ends early still fails: Node then closes
 * the connection short of the announced length, which no client takes for a
 * complete file.
 */

export const BODY_LENGTH_HEADER = "x-image-vault-body-length";

type State = { installed: boolean };
const state: State = ((globalThis as { __imageVaultLength?: State }).__imageVaultLength ??= { installed: false });

export function installContentLengthPassThrough(): void {
  if (state.installed) return;
  state.installed = true;
  const setHeader = http.ServerResponse.prototype.setHeader;
  http.ServerResponse.prototype.setHeader = function (this: http.ServerResponse, name: string, value: number | string | readonly string[]) {
    if (name.toLowerCase() === BODY_LENGTH_HEADER) {
      const length = String(Array.isArray(value) ? value[value.length - 1] : value);
      // Only a plain decimal length is passed on; anything else is dropped with the marker.
      if (/^\d{1,15}$/.test(length)) setHeader.call(this, "content-length", length);
      return this;
    }
    return setHeader.call(this, name, value);
  } as typeof setHeader;
}

/** The headers a streamed response needs to announce its exact length. */
export function bodyLength(length: number): Record<string, string> {
  // Both: Content-Length where Next keeps it (other hosts, future versions), the marker for 16.4.
  return { "Content-Length": String(length), [BODY_LENGTH_HEADER]: String(length) };
}
