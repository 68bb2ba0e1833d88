import "server-only";

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return Math.floor(n);
}

/** Like intFromEnv, but keeps fractions: a test may make the upload lifetime seconds long. */
function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

function enumFromEnv<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = process.env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return raw as T;
}

const MiB = 1024 * 1024;

/** Limits read from the environment once per process; the README lists each variable. */
export const limits = {
  maxUploadBytes: intFromEnv("MAX_UPLOAD_BYTES", 100 * MiB),
  quotaBytes: intFromEnv("QUOTA_BYTES", 10 * 1024 * MiB),
  quotaImages: intFromEnv("QUOTA_IMAGES", 50_000),
  maxPixels: intFromEnv("MAX_IMAGE_PIXELS", 100_000_000),
  trashRetentionDays: intFromEnv("TRASH_RETENTION_DAYS", 30),
  uploadTtlHours: numberFromEnv("UPLOAD_TTL_HOURS", 24),
  galleryPageSize: Math.max(1, intFromEnv("GALLERY_PAGE_SIZE", 60)),
  /** Images per step of a bulk trash/restore/delete: each step answers in about a second, and the client shows progress between steps. */
  bulkStep: Math.max(1, intFromEnv("BULK_STEP", 1000)),
  registration: enumFromEnv("REGISTRATION", ["open", "closed"], "open"),
  registrationsPerHour: Math.max(1, intFromEnv("REGISTRATIONS_PER_HOUR", 5)),
  /** Images decoded at once per process (lib/decode-queue); the rest wait their turn. */
  analyzeConcurrency: Math.max(1, intFromEnv("ANALYZE_CONCURRENCY", 2)),
  /** Seconds between housekeeping runs per process (each run takes the database lease first, so instances never overlap). */
  housekeepingSeconds: Math.max(1, intFromEnv("HOUSEKEEPING_SECONDS", 15 * 60)),
  /** Worker threads running the vision models (lib/analysis-pool); each holds its own copy (~150 MB). */
  analysisWorkers: Math.max(1, intFromEnv("ANALYSIS_WORKERS", 1)),
};

/** A secret the app needs; in production its absence is an error, never a default. */
export function requireEnv(name: "AUTH_SECRET" | "IMAGE_KEYS" | "MONGODB_URI"): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Set it in the environment (see README "Configuration"); ` +
        "`npm start` and `npm run dev` generate development values only when MONGODB_URI is unset.",
    );
  }
  return value;
}
