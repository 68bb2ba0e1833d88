import net from "node:net";

import { MongoClient } from "mongodb";
import { describe, expect, it } from "vitest";

import { AppError, toPublicError } from "@/lib/errors";

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
    const pub = toPublicError(err);
    expect(pub.code).toBe("unavailable");
    expect(pub.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|Mongo/);
  });

  it("keeps typed errors as they are and hides anything else", () => {
    const typed = new AppError("quota_exceeded");
    expect(toPublicError(typed)).toBe(typed);
    expect(toPublicError(new TypeError("x is undefined at lib/images.ts:12"))).toMatchObject({ code: "internal", message: "Something went wrong. Please try again." });
  });
});
