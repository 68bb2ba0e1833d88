// GIN expression indexes for FerretDB v1.24's PostgreSQL backend (DESIGN.md §2).
//
// FerretDB pushes a top-level scalar equality down as `_jsonb->'<field>' @> $1`.
// Only a GIN index on `(_jsonb->'<field>')` serves that operator: the btree
// indexes FerretDB itself makes for createIndexes (its `_id_` one included) do
// not, so without these every such query scans the whole collection (FerretDB
// #4646). They live in PostgreSQL, so scripts/with-db.mjs makes them, not the app.
//
// Add an entry here for every hot equality query on a collection of the app's
// database: { collection, field } with a top-level field name. Entries for
// collections the app has not created yet are fine: the collection is created
// empty, and FerretDB gives it its usual table and `_id_` index.
export const GIN_INDEXES = [
  // GridFS: every blob read looks up the chunks of one file.
  { collection: "fs.chunks", field: "files_id" },
  // `_id` equality also scans without a GIN (FerretDB's own `_id_` index is a btree:
  // it serves only its UPDATE/DELETE by id, not the find before them).
  { collection: "fs.files", field: "_id" },
  // Image records: one owner's gallery, one image, one listing page.
  { collection: "images", field: "ownerId" },
  { collection: "images", field: "_id" },
  { collection: "images", field: "pageKey" },
  { collection: "images", field: "trashKey" },
  // Uploads in progress, per owner and by id.
  { collection: "uploads", field: "ownerId" },
  { collection: "uploads", field: "_id" },
  // Looked up by `_id` on every request or upload: the per-owner timeline
  // summary, root key and usage, the session record, locks and accounts.
  { collection: "libraries", field: "_id" },
  { collection: "library_heads", field: "_id" },
  { collection: "owner_keys", field: "_id" },
  { collection: "owner_usage", field: "_id" },
  { collection: "auth_sessions", field: "_id" },
  { collection: "locks", field: "_id" },
  { collection: "users", field: "_id" },
  { collection: "users", field: "usernameLower" },
  { collection: "download_tokens", field: "_id" },
  { collection: "known_addresses", field: "_id" },
  // Sign-in limits count one window's slots on every attempt.
  { collection: "login_attempts", field: "key" },
  { collection: "passkeys", field: "userId" },
  // Albums and share links (lib/albums.ts, lib/shares.ts, lib/share-visitors.ts):
  // an owner's albums and links, an album's members, a member or link by `_id`, a
  // visitor's token by its hash on every shared request, and a link's view/download
  // events.
  { collection: "albums", field: "ownerId" },
  { collection: "albums", field: "_id" },
  { collection: "album_items", field: "albumId" },
  { collection: "album_items", field: "_id" },
  { collection: "shares", field: "ownerId" },
  { collection: "shares", field: "_id" },
  { collection: "shares", field: "tokenHash" },
  { collection: "share_events", field: "shareId" },
  { collection: "strip_sizes", field: "_id" },
  // Analysis (issue 11): the queue's drain and per-owner states, sealed characteristics,
  // and the blind search index, looked up by `ownerId:token` and cleaned by image.
  { collection: "analysis_jobs", field: "queue" },
  { collection: "analysis_jobs", field: "ownerId" },
  { collection: "analysis_jobs", field: "_id" },
  { collection: "image_traits", field: "_id" },
  { collection: "image_traits", field: "ownerId" },
  { collection: "upload_preferences", field: "_id" },
  { collection: "search_postings", field: "key" },
  { collection: "search_postings", field: "imageId" },
  { collection: "content_hashes", field: "key" },
  { collection: "content_hashes", field: "imageId" },
];

const SAFE_FIELD = /^[A-Za-z0-9_]+$/;
const SAFE_TABLE = /^[A-Za-z0-9_]+$/;

/** PostgreSQL index name: readable, unique per (collection, field), within 63 bytes. */
function indexName(collection, field) {
  const base = `${collection}_${field}`.replace(/[^A-Za-z0-9_]/g, "_").replace(/^_+/, "");
  return `${base.slice(0, 50)}_gin`;
}

/**
 * Creates the collections (through the driver, so FerretDB records them) and the
 * GIN indexes of GIN_INDEXES in `dbName`, then refreshes the planner statistics.
 * `psql(sql)` runs one statement in FerretDB's PostgreSQL database and returns
 * spawnSync's result. Problems are logged, never fatal: without an index the app
 * is slower, not wrong.
 */
export async function ensureGinIndexes({ mongoUrl, dbName, psql, log, indexes = GIN_INDEXES }) {
  const { MongoClient } = await import("mongodb");
  const wanted = [...new Set(indexes.map((i) => i.collection))];
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db(dbName);
    const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const name of wanted) {
      if (names.has(name)) continue;
      try {
        await db.createCollection(name);
      } catch (err) {
        // Another process may have made it between the listing and now.
        if (err?.code !== 48) throw err;
      }
    }
  } finally {
    await client.close();
  }
  const tables = new Map();
  const q = psql(`SELECT _jsonb->>'_id', _jsonb->>'table' FROM "${dbName}"._ferretdb_database_metadata`);
  if (q.status !== 0) {
    log(`could not read FerretDB's table names; queries will scan (${q.stderr.trim()})`);
    return;
  }
  for (const line of q.stdout.split("\n")) {
    const [collection, table] = line.split("|");
    if (collection && SAFE_TABLE.test(table ?? "")) tables.set(collection, table);
  }
  const analyze = new Set();
  for (const { collection, field } of indexes) {
    const table = tables.get(collection);
    if (!table || !SAFE_FIELD.test(field)) {
      log(`no GIN index for ${collection}.${field}: ${table ? "field name not supported" : "FerretDB's table not found"}`);
      continue;
    }
    const r = psql(`CREATE INDEX IF NOT EXISTS "${indexName(collection, field)}" ON "${dbName}"."${table}" USING gin ((_jsonb->'${field}'))`);
    if (r.status !== 0) log(`could not create the GIN index on ${collection}.${field}: ${r.stderr.trim()}`);
    else analyze.add(table);
  }
  // Fresh statistics, so the planner picks the indexes rather than a scan it thinks is cheap.
  for (const table of analyze) psql(`ANALYZE "${dbName}"."${table}"`);
}
