import "server-only";

import { type Db, MongoClient, type IndexDescription } from "mongodb";

import { requireEnv } from "@/lib/config";

type Cache = { client?: MongoClient; ready?: Promise<Db> };

// Dev hot reload re-evaluates modules; the cache on globalThis keeps one client per process.
const cache: Cache = ((globalThis as { __imageRepoMongo?: Cache }).__imageRepoMongo ??= {});

export function getClient(): MongoClient {
  if (!cache.client) {
    cache.client = new MongoClient(requireEnv("MONGODB_URI"), {
      // Fail a request within seconds when the database is down instead of hanging for 30 s.
      serverSelectionTimeoutMS: 5_000,
      connectTimeoutMS: 5_000,
      // A database that stops answering mid-request (hung, or the network gone) fails the
      // request instead of holding it forever; every single round trip is far shorter.
      socketTimeoutMS: 20_000,
      appName: "image-repository",
    });
  }
  return cache.client;
}

function dbName(): string | undefined {
  // Tests give each file its own throwaway database.
  return process.env.MONGODB_DB || undefined;
}

/** The app's database, with its indexes ensured once per process. */
export function getDb(): Promise<Db> {
  if (!cache.ready) {
    const attempt = (async () => {
      const client = getClient();
      await client.connect();
      const db = client.db(dbName());
      await ensureIndexes(db);
      return db;
    })();
    cache.ready = attempt;
    // A failed start (database down) must not poison every later request.
    attempt.catch(() => {
      if (cache.ready === attempt) cache.ready = undefined;
    });
  }
  return cache.ready;
}

export async function closeDb(): Promise<void> {
  const client = cache.client;
  cache.client = undefined;
  cache.ready = undefined;
  await client?.close();
}

const INDEXES: Record<string, IndexDescription[]> = {
  users: [{ key: { usernameLower: 1 }, name: "usernameLower_unique", unique: true }],
  login_attempts: [
    { key: { key: 1 }, name: "key" },
    { key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 },
  ],
  known_addresses: [{ key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 }],
  auth_sessions: [
    { key: { userId: 1 }, name: "userId" },
    { key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 },
  ],
  locks: [{ key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 }],
  passkeys: [{ key: { userId: 1 }, name: "userId" }],
  passkey_challenges: [{ key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 }],
  images: [
    { key: { ownerId: 1, trashedAt: 1, createdAt: -1, _id: -1 }, name: "owner_gallery" },
    { key: { trashedAt: 1 }, name: "trashedAt" },
  ],
  uploads: [
    { key: { ownerId: 1 }, name: "owner" },
    { key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 },
  ],
  "fs.files": [{ key: { filename: 1, uploadDate: 1 }, name: "filename_1_uploadDate_1" }],
  "fs.chunks": [{ key: { files_id: 1, n: 1 }, name: "files_id_1_n_1", unique: true }],
  download_tokens: [{ key: { expiresAt: 1 }, name: "expiresAt_ttl", expireAfterSeconds: 0 }],
  albums: [{ key: { ownerId: 1 }, name: "owner" }],
  album_items: [
    { key: { albumId: 1 }, name: "album" },
    { key: { ownerId: 1 }, name: "owner" },
  ],
  shares: [
    { key: { tokenHash: 1 }, name: "tokenHash_unique", unique: true },
    { key: { ownerId: 1 }, name: "owner" },
  ],
  share_events: [{ key: { shareId: 1 }, name: "share" }],
};

function isNotImplemented(err: unknown): boolean {
  // FerretDB 1.x answers TTL options with NotImplemented (238); expiry is also enforced in queries.
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 238;
}

async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    for (const index of indexes) {
      try {
        await db.collection(collection).createIndexes([index]);
      } catch (err) {
        if (index.expireAfterSeconds !== undefined && isNotImplemented(err)) {
          const { expireAfterSeconds: _ttl, ...plain } = index;
          await db.collection(collection).createIndexes([plain]);
          continue;
        }
        throw err;
      }
    }
  }
}
