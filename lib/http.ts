import "server-only";

import { AppError, type ErrorCode, toPublicError } from "@/lib/errors";

const STATUS: Record<ErrorCode, number> = {
  // Signed-out requests for private things look exactly like missing ones.
  unauthorized: 404,
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  rate_limited: 429,
  passkey_unknown: 401,
  passkey_failed: 401,
  passkey_expired: 401,
  last_sign_in_method: 409,
  registration_closed: 403,
  quota_exceeded: 413,
  too_large: 413,
  empty_file: 400,
  unsupported_type: 415,
  corrupt_image: 422,
  image_too_big: 422,
  upload_incomplete: 409,
  integrity: 500,
  unavailable: 503,
  storage_full: 507,
  internal: 500,
};

/** A JSON error response with a typed code and a message for people; never driver text. */
export function errorResponse(err: unknown): Response {
  const e = toPublicError(err);
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (e.retryAfterSeconds) headers["Retry-After"] = String(e.retryAfterSeconds);
  return Response.json({ code: e.code, message: e.message }, { status: STATUS[e.code], headers });
}

/**
 * RFC 6266 / RFC 8187: a plain ASCII `filename` for old clients and a
 * UTF-8 `filename*` with the real name. Quotes, slashes and control
 * characters can never break out of the header or name a path.
 */
export function contentDisposition({ type, filename }: { type: "inline" | "attachment"; filename: string }): string {
  const cleaned = filename.replace(/[\u0000-\u001f\u007f]/g, "").replace(/[\\/]/g, "_").trim() || "image";
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, "_").replace(/["%;\\]/g, "_");
  const encoded = encodeURIComponent(cleaned).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export type ByteRange = { start: number; end: number };

/** Parses a single `bytes=` range; null means "send it all", "invalid" means 416. */
export function parseRange(header: string | null, size: number): ByteRange | null | "invalid" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return header.startsWith("bytes=") ? "invalid" : null;
  if (size === 0) return "invalid";
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "invalid";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= size) return "invalid";
  return { start, end };
}

/**
 * Turns an async generator into a response body. The first piece is read
 * before the response starts, so a failure there is a clean error status; a
 * later failure errors the stream, which aborts the connection: the client
 * never sees a "complete" but wrong file.
 */
export async function toBodyStream(source: AsyncGenerator<Buffer>): Promise<ReadableStream<Uint8Array>> {
  const first = await source.next();
  let pending: Buffer | null = first.done ? null : first.value;
  let finished = Boolean(first.done);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (pending) {
          controller.enqueue(new Uint8Array(pending.buffer, pending.byteOffset, pending.byteLength));
          pending = null;
          return;
        }
        if (finished) {
          controller.close();
          return;
        }
        const next = await source.next();
        if (next.done) {
          finished = true;
          controller.close();
        } else {
          controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        }
      } catch (err) {
        console.error("[stream aborted]", err instanceof Error ? err.message : err);
        controller.error(err);
      }
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}

/** Reads a request body up to `max` bytes without trusting Content-Length. */
export async function readBodyCapped(request: Request, max: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw new AppError("too_large", "An upload part was larger than allowed.");
    }
    parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(parts, total);
}
