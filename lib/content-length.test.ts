import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BODY_LENGTH_HEADER, installContentLengthPassThrough } from "@/lib/content-length";

let server: http.Server;
let port: number;

/** A raw GET that reports the framing headers exactly as sent, and what arrived. */
function get(path: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d) => parts.push(d));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(parts), complete: res.complete }));
      res.on("error", () => resolve({ headers: res.headers, body: Buffer.concat(parts), complete: false }));
      res.on("aborted", () => resolve({ headers: res.headers, body: Buffer.concat(parts), complete: false }));
    });
    req.on("error", () => resolve({ headers: {}, body: Buffer.alloc(0), complete: false }));
  });
}

beforeAll(async () => {
  installContentLengthPassThrough();
  // Written the way Next writes a route handler's Response: headers set one by one, body piped in pieces.
  server = http.createServer((req, res) => {
    res.setHeader("content-type", "application/octet-stream");
    res.setHeader(BODY_LENGTH_HEADER, ["10"]);
    res.write("01234");
    if (req.url === "/cut") {
      setTimeout(() => res.destroy(), 20);
      return;
    }
    setTimeout(() => res.end("56789"), 20);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

describe("content-length pass-through", () => {
  it("turns the marker into a real Content-Length, so the body is not chunked and the marker never leaves", async () => {
    const res = await get("/");
    expect(res.headers["content-length"]).toBe("10");
    expect(res.headers["transfer-encoding"]).toBeUndefined();
    expect(res.headers[BODY_LENGTH_HEADER]).toBeUndefined();
    expect(res.body.toString()).toBe("0123456789");
    expect(res.complete).toBe(true);
  });

  it("a body cut short is never a complete response", async () => {
    const res = await get("/cut");
    expect(res.body.toString()).toBe("01234");
    expect(res.complete).toBe(false);
  });
});
