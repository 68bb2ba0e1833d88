import net from "node:net";

import { MongoClient } from "mongodb";
import { describe, expect, it, vi } from "vitest";

import { AppError, ERROR_CODES, toPublicError } from "@/lib/errors";

/** Where the test database listens: a loopback port or (embedded default) a Unix socket. */
function databaseTarget(): net.NetConnectOpts {
  const host = /^mongodb:\/\/([^/?]+)/.exec(process.env.MONGODB_URI ?? "")?.[1] ?? "";
  if (host.includes("%2F")) return { path: decodeURIComponent(host) };
  const [h, p] = host.split(":");
  return { host: h, port: Number(p || 27017) };
}

/** A loopback port with nothing listening: a database that is down. */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("toPublicError", () => {
  it("turns a real 'database down' driver error into 'unavailable' without its text", async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${await deadPort()}/x?directConnection=true`, { serverSelectionTimeoutMS: 300 });
    const err = await client.db().collection("users").findOne({}).catch((e) => e);
    await client.close();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const pub = toPublicError(err);
    log.mockRestore();
    expect(pub.code).toBe("unavailable");
    expect(pub.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|Mongo/);
  });

  it("turns a connection cut in the middle of writes into 'unavailable', not 'internal'", async () => {
    // A proxy in front of the real database, so the connection can be cut as a network failure would.
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(databaseTarget());
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const { port } = proxy.address() as net.AddressInfo;
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/${process.env.MONGODB_DB}?directConnection=true`, {
      serverSelectionTimeoutMS: 500,
      retryWrites: false,
    });
    const coll = client.db().collection("cut");
    await coll.insertOne({ ok: 1 });
    proxy.close();
    for (const s of sockets) s.destroy();
    const single = await coll.insertOne({ big: "x".repeat(1000) }).catch((e) => e);
    const many = await coll.insertMany([{ a: 1 }, { a: 2 }], { ordered: false }).catch((e) => e);
    await client.close();
    for (const err of [single, many]) {
      expect(err).toBeInstanceOf(Error);
      const pub = toPublicError(err);
      expect(pub.code).toBe("unavailable");
      expect(pub.message).toBe("Storage is unavailable. Please try again in a moment.");
    }
  });

  it("turns a database that cannot store more into 'storage_full', without its text", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const text of ["could not extend file \"base/16384/2619\": No space left on device", "cannot execute INSERT in a read-only transaction"]) {
      const err = Object.assign(new Error(text), { name: "MongoServerError", code: 1 });
      expect(toPublicError(err)).toMatchObject({ code: "storage_full", message: ERROR_CODES.storage_full });
    }
    expect(toPublicError(Object.assign(new Error("OutOfDiskSpace"), { name: "MongoServerError", code: 14031 })).code).toBe("storage_full");
    // The same words from anything but the database driver are not a full disk.
    expect(toPublicError(new Error("No space left on device")).code).toBe("internal");
    log.mockRestore();
  });

  it("keeps typed errors as they are and hides anything else", () => {
    const typed = new AppError("quota_exceeded");
    expect(toPublicError(typed)).toBe(typed);
    // Unknown errors are logged on the server in full; the log is checked, not printed into the test output.
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(toPublicError(new TypeError("x is undefined at lib/images.ts:12"))).toMatchObject({ code: "internal", message: "Something went wrong. Please try again." });
    expect(log).toHaveBeenCalledWith("[internal error]", expect.any(TypeError));
    log.mockRestore();
  });
});
