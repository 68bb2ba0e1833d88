import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { clientAddress, installPeerAddressStamp } from "@/lib/client-address";

// A real HTTP server, like `next start`'s: the stamp is written where Node hands over each request.
let server: http.Server;
let url: string;

beforeAll(async () => {
  installPeerAddressStamp();
  server = http.createServer((req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    res.end(clientAddress({ headers }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise((r) => server.close(r)));
afterEach(() => {
  delete process.env.TRUST_PROXY;
});

const ask = async (headers: Record<string, string> = {}) => (await fetch(url, { headers })).text();

describe("clientAddress", () => {
  it("ignores forwarding headers by default: the TCP peer is the client", async () => {
    expect(await ask()).toBe("127.0.0.1");
    // The attack: a random X-Forwarded-For per request used to be a fresh rate-limit key each time.
    expect(await ask({ "x-forwarded-for": "203.0.113.7", "x-real-ip": "203.0.113.8" })).toBe("127.0.0.1");
    // Forging the stamp itself does not help: it is overwritten, and its token is per process.
    expect(await ask({ "x-image-vault-peer": "0123 198.51.100.1" })).toBe("127.0.0.1");
  });

  it("believes N proxies of ours when TRUST_PROXY is a hop count", async () => {
    process.env.TRUST_PROXY = "1";
    expect(await ask({ "x-forwarded-for": "198.51.100.9, 203.0.113.7" })).toBe("203.0.113.7");
    process.env.TRUST_PROXY = "2";
    expect(await ask({ "x-forwarded-for": "198.51.100.9, 203.0.113.7" })).toBe("198.51.100.9");
  });

  it("skips trusted proxy addresses from the right when TRUST_PROXY lists them", async () => {
    process.env.TRUST_PROXY = "127.0.0.0/8, 10.0.0.0/8";
    expect(await ask({ "x-forwarded-for": "203.0.113.7, 10.1.2.3" })).toBe("203.0.113.7");
    // A client that forges a chain still ends up as the first untrusted hop.
    expect(await ask({ "x-forwarded-for": "1.1.1.1, 203.0.113.7, 10.1.2.3" })).toBe("203.0.113.7");
  });

  it("uses the platform header on Vercel", () => {
    process.env.TRUST_PROXY = "vercel";
    const headers = new Headers({ "x-vercel-forwarded-for": "203.0.113.5", "x-forwarded-for": "203.0.113.5" });
    expect(clientAddress({ headers })).toBe("203.0.113.5");
  });

  it("puts requests whose peer is unknown into one shared bucket", () => {
    expect(clientAddress({ headers: new Headers({ "x-forwarded-for": "203.0.113.7" }) })).toBe("unverified");
  });

  it("refuses a TRUST_PROXY it cannot read", () => {
    process.env.TRUST_PROXY = "everyone";
    expect(() => clientAddress({ headers: new Headers() })).toThrow(/TRUST_PROXY/);
  });
});
