import "server-only";

import { type AnyBulkWriteOperation, type Collection, type Db, type Document, type IndexDescription, MongoClient } from "mongodb";

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
      monitorCommands: true,
    });
    watchSlowCommands(cache.client);
  }
  return cache.client;
}

/** Round trips slower than this are logged by name, so an operator can tell which one nears socketTimeoutMS. */
const SLOW_COMMAND_MS = 5_000;

function watchSlowCommands(client: MongoClient): void {
  // Only the command's name, the collection and the time: never its documents, which hold sealed data.
  const report = (kind: string, e: { commandName: string; duration: number; requestId: number }, collection?: unknown) => {
    if (e.duration < SLOW_COMMAND_MS) return;
    console.warn(`[db slow] ${e.commandName}${typeof collection === "string" ? ` ${collection}` : ""} ${kind} after ${Math.round(e.duration)} ms`);
  };
  const collections = new Map<number, unknown>();
  client.on("commandStarted", (e) => {
    collections.set(e.requestId, e.command[e.commandName]);
  });
  client.on("commandSucceeded", (e) => {
    report("answered", e, collections.get(e.requestId));
    collections.delete(e.requestId);
  });
  client.on("commandFailed", (e) => {
    report("failed", e, collections.get(e.requestId));
    collections.delete(e.requestId);
  });
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
    // One timeline or trash bucket per query (lib/library.ts); on FerretDB the GIN indexes of scripts/pg-gin-indexes.mjs serve these.
    { key: { pageKey: 1 }, name: "pageKey" },
    { key: { trashKey: 1 }, name: "trashKey" },
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

/**
 * Statements per bulk write command. FerretDB 1.24 on PostgreSQL never answers
 * an update command of 50 or more statements (its PostgreSQL pool has 50
 * connections, and the command waits for one it already holds): measured, 49
 * updates answer in 0.6 s and 50 time out, whatever the filters. Inserts and
 * deletes are not affected, but every bulk goes through here so none can
 * grow past it.
 */
export const BULK_WRITE_BATCH = 32;

/** A bulk write of any length, sent as commands of BULK_WRITE_BATCH statements one after another (unordered within each). */
export async function bulkWriteInBatches<T extends Document>(
  collection: Collection<T>,
  operations: AnyBulkWriteOperation<T>[],
): Promise<{ modifiedCount: number; upsertedCount: number; deletedCount: number }> {
  const total = { modifiedCount: 0, upsertedCount: 0, deletedCount: 0 };
  for (let i = 0; i < operations.length; i += BULK_WRITE_BATCH) {
    const res = await collection.bulkWrite(operations.slice(i, i + BULK_WRITE_BATCH), { ordered: false });
    total.modifiedCount += res.modifiedCount;
    total.upsertedCount += res.upsertedCount;
    total.deletedCount += res.deletedCount;
  }
  return total;
}
