import { MongoClient } from "mongodb";

/**
 * Every browser test signs in from the same address, and the e2e database
 * outlives a run; earlier runs' failed sign-ins must not rate-limit this one.
 */
export default async function globalSetup() {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error("MONGODB_URI is not set: run the browser tests through `npm test` or scripts/with-db.mjs");
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.db().collection("login_attempts").deleteMany({});
    await client.db().collection("known_addresses").deleteMany({});
  } finally {
    await client.close();
  }
}
