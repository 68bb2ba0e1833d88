// Each test file gets its own throwaway database on the real local server.
import { randomBytes } from "node:crypto";

import { afterAll } from "vitest";

process.env.MONGODB_DB = `t_${randomBytes(6).toString("hex")}`;

afterAll(async () => {
  const { getClient, closeDb } = await import("@/lib/db");
  try {
    await getClient().db(process.env.MONGODB_DB).dropDatabase();
  } catch {
    // a test that stopped the database leaves nothing worth dropping
  }
  await closeDb();
});

// A master key for files that do not bring their own (the start script provides one otherwise).
process.env.IMAGE_KEYS ||= `test:${randomBytes(32).toString("base64")}`;
process.env.AUTH_SECRET ||= randomBytes(32).toString("base64");
