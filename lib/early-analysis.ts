import "server-only";

import { Readable } from "node:stream";

import { type AnalyzeResult, analyzeImage } from "@/lib/analyze";
import { AppError } from "@/lib/errors";

/**
 * Analysis of an upload from the plaintext its parts brought, instead of from
 * the original read back out of the database at complete.
 *
 * completeUpload used to read the whole original back and decrypt it only to
 * feed it to sharp, which buffers its whole input before decoding anyway: for
 * a 20 MiB photo that read (plus a countDocuments that FerretDB answers by
 * reading every chunk too) was about half of complete's time. The parts'
 * plaintext passes through this process on its way into the database, so each
 * part, once stored, is held here; when the last one is stored the analysis
 * starts at once, and complete (a round trip later) only awaits its result.
 *
 * This is a cache, never the source of truth: complete falls back to reading
 * the original back whenever there is no whole, clean session here. That
 * happens when another server process received some of the parts, a part was
 * sent twice or failed to store (the stored bytes might then not be the ones
 * held here), the memory budget was full, or the process restarted.
 */

/** Plaintext held across all uploads of this process; past it, uploads take the read-back path. */
const BUDGET_BYTES = 256 * 1024 * 1024;
/** An upload whose parts stopped coming (aborted, abandoned, or finished elsewhere) is forgotten after this. */
const IDLE_MS = 5 * 60_000;

type Session = {
  parts: (Buffer | undefined)[];
  have: number;
  bytes: number;
  mime: string | null;
  result: Promise<AnalyzeResult> | null;
  touched: number;
  released: boolean;
};

type Registry = { sessions: Map<string, Session>; heldBytes: number; idleTimer: ReturnType<typeof setInterval> | null };

// On globalThis, like lib/db's client: Next bundles route handlers (the parts) and server actions
// (complete) separately, each with its own copy of this module, but both must see one registry.
const registry: Registry = ((globalThis as { __imageRepoHeldParts?: Registry }).__imageRepoHeldParts ??= {
  sessions: new Map(),
  heldBytes: 0,
  idleTimer: null,
});
const sessions = registry.sessions;

function release(session: Session): void {
  if (session.released) return;
  session.released = true;
  session.parts = [];
  registry.heldBytes -= session.bytes;
}

function forget(uploadId: string): void {
  const session = sessions.get(uploadId);
  if (!session) return;
  sessions.delete(uploadId);
  // A running analysis keeps its bytes (sharp has them) until it settles.
  if (!session.result) release(session);
  if (sessions.size === 0 && registry.idleTimer) {
    clearInterval(registry.idleTimer);
    registry.idleTimer = null;
  }
}

function sweepIdle(): void {
  const cutoff = Date.now() - IDLE_MS;
  for (const [uploadId, session] of sessions) if (session.touched < cutoff) forget(uploadId);
}

/** Hands the parts to sharp one by one, dropping this module's references as they go. */
function* drain(parts: (Buffer | undefined)[]): Generator<Buffer> {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    parts[i] = undefined;
    yield part;
  }
}

/**
 * Holds part `index` of an upload: its plaintext, exactly as sealed and just
 * stored. When the last missing part comes and the type is known, the analysis
 * starts. A part that comes twice ends the session: which bytes are stored is
 * then the database's business (first write wins), not this cache's.
 */
export function holdPart({
  uploadId,
  index,
  partCount,
  bytes,
  mime,
}: {
  uploadId: string;
  index: number;
  partCount: number;
  bytes: Buffer;
  mime: string | null;
}): void {
  sweepIdle();
  let session = sessions.get(uploadId);
  if (!session) {
    session = { parts: new Array(partCount), have: 0, bytes: 0, mime: null, result: null, touched: Date.now(), released: false };
    sessions.set(uploadId, session);
    registry.idleTimer ??= setInterval(sweepIdle, 60_000).unref();
  }
  if (session.result || session.parts[index] || registry.heldBytes + bytes.length > BUDGET_BYTES) {
    forget(uploadId);
    return;
  }
  session.parts[index] = bytes;
  session.have += 1;
  session.bytes += bytes.length;
  registry.heldBytes += bytes.length;
  session.mime ??= mime;
  session.touched = Date.now();
  if (session.have === partCount && session.mime) {
    const started = session;
    started.result = analyzeImage({ mime: started.mime!, source: Readable.from(drain(started.parts)) });
    // Settled here too, so a result nobody takes (the upload was abandoned) is never an unhandled rejection.
    started.result.then(
      () => release(started),
      () => release(started),
    );
  }
}

/** Forgets an upload's held parts (a part failed to store, or the upload ended). */
export function dropHeldParts({ uploadId }: { uploadId: string }): void {
  forget(uploadId);
}

/**
 * The analysis of an upload whose every part was held here, or null when
 * complete must read the original back. Either way the session is gone after.
 */
export function takeHeldAnalysis({ uploadId }: { uploadId: string }): Promise<AnalyzeResult> | null {
  const session = sessions.get(uploadId);
  forget(uploadId);
  return session?.result?.catch((err: unknown) => Promise.reject(asOwnAppError(err))) ?? null;
}

/**
 * The analysis ran in the parts route's copy of the lib modules, so its
 * AppError ("the image is damaged", ...) is an instance of that copy's class;
 * complete runs in the server action's copy, where `instanceof` would miss it
 * and the user would read "Something went wrong". Same code, same message.
 */
function asOwnAppError(err: unknown): unknown {
  if (err instanceof AppError || !(err instanceof Error) || err.name !== "AppError") return err;
  const foreign = err as Error & Partial<Pick<AppError, "code" | "fieldErrors" | "retryAfterSeconds">>;
  if (!foreign.code) return err;
  return new AppError(foreign.code, foreign.message, { fieldErrors: foreign.fieldErrors, retryAfterSeconds: foreign.retryAfterSeconds, cause: foreign.cause });
}

/** Bytes held right now, for tests. */
export function heldPartBytes(): number {
  return registry.heldBytes;
}
