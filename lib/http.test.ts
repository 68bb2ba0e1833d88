import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { contentDisposition, errorResponse, parseRange, readBodyCapped, toBodyStream } from "@/lib/http";

async function drain(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = stream.getReader();
  const parts: Buffer[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(parts);
    parts.push(Buffer.from(value));
  }
}

describe("contentDisposition", () => {
  it("gives an ASCII fallback and the exact UTF-8 name", () => {
    expect(contentDisposition({ type: "attachment", filename: "Ünïcødé photo.jpg" })).toBe(
      `attachment; filename="_n_c_d_ photo.jpg"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20photo.jpg`,
    );
  });

  it("cannot be broken out of by quotes, newlines or paths", () => {
    const header = contentDisposition({ type: "attachment", filename: 'a"; filename="evil.exe\r\nSet-Cookie: x=1/../b.jpg' });
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.match(/filename="([^"]*)"/)?.[1]).not.toContain("/");
    expect(header.split('filename="').length).toBe(2);
    expect(header).toContain("filename*=UTF-8''");
  });

  it("never produces an empty name", () => {
    expect(contentDisposition({ type: "inline", filename: "\u0001\u0002" })).toContain('filename="image"');
  });
});

describe("parseRange", () => {
  it.each([
    [null, 100, null],
    ["bytes=0-0", 100, { start: 0, end: 0 }],
    ["bytes=10-", 100, { start: 10, end: 99 }],
    ["bytes=-10", 100, { start: 90, end: 99 }],
    ["bytes=90-500", 100, { start: 90, end: 99 }],
    ["bytes=100-", 100, "invalid"],
    ["bytes=5-2", 100, "invalid"],
    ["bytes=-0", 100, "invalid"],
    ["bytes=0-1,5-6", 100, "invalid"],
    ["items=0-1", 100, null],
  ] as const)("%s of %d bytes", (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe("toBodyStream", () => {
  it("fails before the response starts when the first piece fails", async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      throw new AppError("integrity");
    }
    await expect(toBodyStream(broken())).rejects.toMatchObject({ code: "integrity" });
  });

  it("errors the stream (aborting the response) when a later piece fails", async () => {
    async function* halfway(): AsyncGenerator<Buffer> {
      yield Buffer.from("good ");
      throw new AppError("integrity");
    }
    const stream = await toBodyStream(halfway());
    await expect(drain(stream)).rejects.toMatchObject({ code: "integrity" });
  });

  it("passes every byte through", async () => {
    async function* ok(): AsyncGenerator<Buffer> {
      yield Buffer.from("a");
      yield Buffer.from("bc");
    }
    expect((await drain(await toBodyStream(ok()))).toString()).toBe("abc");
  });
});

describe("errorResponse and readBodyCapped", () => {
  it("never leaks driver text", async () => {
    const err = Object.assign(new Error("E11000 duplicate key error collection: secret.users index"), { name: "MongoServerError" });
    const res = errorResponse(err);
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({ code: "internal", message: "Something went wrong. Please try again." });
  });

  it("maps a database outage to 503", async () => {
    const res = errorResponse(Object.assign(new Error("connect ECONNREFUSED"), { name: "MongoServerSelectionError" }));
    expect(res.status).toBe(503);
  });

  it("refuses a body over the cap without trusting Content-Length", async () => {
    const req = new Request("http://x/", { method: "PUT", body: Buffer.alloc(1001), headers: { "content-length": "10" } });
    await expect(readBodyCapped(req, 1000)).rejects.toMatchObject({ code: "too_large" });
    const ok = new Request("http://x/", { method: "PUT", body: Buffer.alloc(1000) });
    expect((await readBodyCapped(ok, 1000)).length).toBe(1000);
  });
});
