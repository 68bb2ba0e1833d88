import "server-only";

import { AppError } from "@/lib/errors";

/**
 * Lossless metadata removal for originals served through share links: the
 * container is rewritten, the coded image data is copied byte for byte, never
 * re-encoded. Streaming: at most one segment or chunk header is held, plus
 * the piece of input being passed through.
 *
 * - JPEG: drops APP1 (Exif, XMP), APP13 (IPTC/Photoshop), COM, APP2 other
 *   than ICC_PROFILE (MPF, FlashPix) and the vendor APP3–APP12/APP15
 *   segments; keeps APP0 (JFIF), APP2 ICC, APP14 (Adobe colour transform)
 *   and every coding segment. Anything after the end-of-image marker (MPF
 *   secondary images, vendor trailers that carry their own Exif) is dropped.
 * - PNG: drops eXIf, tEXt, iTXt, zTXt and tIME chunks; stops at IEND.
 * - WebP: drops EXIF and XMP chunks, clears their VP8X flags and rewrites
 *   the RIFF size (which needs the stripped size up front: see `size`).
 * - GIF: drops comment and application extensions except the NETSCAPE2.0 /
 *   ANIMEXTS1.0 loop block.
 * - AVIF, HEIF and TIFF are not handled (`canStrip` is false): their
 *   metadata lives in item/IFD tables whose offsets would all need
 *   rewriting; callers serve the already stripped preview instead.
 */

const STRIPPABLE = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);

export function canStrip({ mime }: { mime: string }): boolean {
  return STRIPPABLE.has(mime);
}

const corrupt = () => new AppError("corrupt_image");

/** Pull-style reads over an async byte source, buffering only what a header needs. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer | Uint8Array>;

  constructor(source: AsyncIterable<Buffer | Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.it.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const piece = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buf = this.buf.length === 0 ? piece : Buffer.concat([this.buf, piece]);
    return true;
  }

  /** Up to n bytes without consuming them (fewer only at the end). */
  async peek(n: number): Promise<Buffer> {
    while (this.buf.length < n && (await this.more()));
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }

  async read(n: number): Promise<Buffer> {
    const head = await this.peek(n);
    if (head.length < n) throw corrupt();
    this.buf = this.buf.subarray(n);
    return head;
  }

  /** Whatever is buffered (reading more if empty); null at the end. */
  async chunk(): Promise<Buffer | null> {
    if (this.buf.length === 0 && !(await this.more())) return null;
    return this.buf;
  }

  consume(n: number): void {
    this.buf = this.buf.subarray(n);
  }

  async *copy(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const piece = await this.chunk();
      if (!piece) throw corrupt();
      const take = Math.min(left, piece.length);
      yield piece.subarray(0, take);
      this.consume(take);
      left -= take;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const piece of this.copy(n)) void piece;
  }

  /** Drops the rest of the input (a trailer after the image's end), reading it to the end. */
  async drain(): Promise<void> {
    while (await this.chunk()) this.consume(this.buf.length);
  }
}

const keepJpegSegment = (code: number, payloadHead: Buffer) => {
  if (code === 0xe1 || code === 0xed || code === 0xfe) return false; // Exif/XMP, IPTC, comment
  if (code === 0xe2) return payloadHead.subarray(0, 12).toString("latin1") === "ICC_PROFILE\0";
  if (code >= 0xe3 && code <= 0xef) return code === 0xee; // APP14 Adobe keeps its colour transform
  return true;
};

async function* stripJpeg(r: ByteReader): AsyncGenerator<Buffer> {
  const soi = await r.read(2);
  if (soi[0] !== 0xff || soi[1] !== 0xd8) throw corrupt();
  yield soi;
  for (;;) {
    // A marker: 0xFF, optional fill bytes, then the code.
    if ((await r.read(1))[0] !== 0xff) throw corrupt();
    let code = (await r.read(1))[0];
    while (code === 0xff) code = (await r.read(1))[0];
    if (code === 0xd9) {
      yield Buffer.from([0xff, 0xd9]);
      await r.drain();
      return;
    }
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      yield Buffer.from([0xff, code]);
      continue;
    }
    const lenBytes = await r.read(2);
    const length = lenBytes.readUInt16BE(0);
    if (length < 2) throw corrupt();
    const head = await r.peek(Math.min(length - 2, 14));
    if (!keepJpegSegment(code, head)) {
      await r.skip(length - 2);
      continue;
    }
    yield Buffer.from([0xff, code, lenBytes[0], lenBytes[1]]);
    yield* r.copy(length - 2);
    if (code === 0xda) yield* copyEntropyData(r);
  }
}

/**
 * Copies entropy-coded data up to (not including) the next marker. Inside it
 * 0xFF is always followed by 0x00 (stuffing) or a restart marker, so the
 * first other 0xFF xx is the next segment.
 */
async function* copyEntropyData(r: ByteReader): AsyncGenerator<Buffer> {
  let from = 0;
  for (;;) {
    const piece = await r.chunk();
    if (!piece) throw corrupt();
    const at = piece.indexOf(0xff, from);
    if (at < 0 || at === piece.length - 1) {
      // No marker here, or 0xFF as the last byte: release what is surely data, keep the rest.
      const release = at < 0 ? piece.length : at;
      if (release > 0) {
        yield piece.subarray(0, release);
        r.consume(release);
      }
      from = 0;
      if (at >= 0) {
        const next = await r.peek(2);
        if (next.length < 2) throw corrupt();
      }
      continue;
    }
    const code = piece[at + 1];
    if (code === 0x00 || (code >= 0xd0 && code <= 0xd7)) {
      from = at + 2;
      continue;
    }
    if (at > 0) yield piece.subarray(0, at);
    r.consume(at);
    return;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_DROP = new Set(["eXIf", "tEXt", "iTXt", "zTXt", "tIME"]);

async function* stripPng(r: ByteReader): AsyncGenerator<Buffer> {
  const sig = await r.read(8);
  if (!sig.equals(PNG_SIGNATURE)) throw corrupt();
  yield sig;
  for (;;) {
    const header = await r.read(8);
    const length = header.readUInt32BE(0);
    const type = header.subarray(4, 8).toString("latin1");
    if (PNG_DROP.has(type)) {
      await r.skip(length + 4);
      continue;
    }
    yield header;
    yield* r.copy(length + 4);
    if (type === "IEND") {
      await r.drain();
      return;
    }
  }
}

const WEBP_DROP = new Set(["EXIF", "XMP "]);
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

async function* stripWebp(r: ByteReader, size: number | undefined): AsyncGenerator<Buffer> {
  const header = Buffer.from(await r.read(12));
  if (header.toString("latin1", 0, 4) !== "RIFF" || header.toString("latin1", 8, 12) !== "WEBP") throw corrupt();
  const riffEnd = header.readUInt32LE(4) + 8;
  // Without the final size (the measuring pass), any value does: only the length counts.
  header.writeUInt32LE(size === undefined ? 0 : size - 8, 4);
  yield header;
  let at = 12;
  while (at < riffEnd) {
    const chunkHeader = Buffer.from(await r.read(8));
    const fourcc = chunkHeader.toString("latin1", 0, 4);
    const length = chunkHeader.readUInt32LE(4);
    const padded = length + (length & 1);
    at += 8 + padded;
    if (WEBP_DROP.has(fourcc)) {
      await r.skip(padded);
      continue;
    }
    yield chunkHeader;
    if (fourcc === "VP8X" && padded >= 1) {
      const flags = Buffer.from(await r.read(1));
      flags[0] &= ~(VP8X_EXIF | VP8X_XMP);
      yield flags;
      yield* r.copy(padded - 1);
    } else {
      yield* r.copy(padded);
    }
  }
  await r.drain();
}

const GIF_KEEP_APPS = ["NETSCAPE2.0", "ANIMEXTS1.0"];

async function* gifSubBlocks(r: ByteReader, keep: boolean): AsyncGenerator<Buffer> {
  for (;;) {
    const size = await r.read(1);
    if (keep) yield size;
    if (size[0] === 0) return;
    if (keep) yield* r.copy(size[0]);
    else await r.skip(size[0]);
  }
}

async function* stripGif(r: ByteReader): AsyncGenerator<Buffer> {
  const header = await r.read(13);
  const signature = header.toString("latin1", 0, 6);
  if (signature !== "GIF87a" && signature !== "GIF89a") throw corrupt();
  yield header;
  const packed = header[10];
  if (packed & 0x80) yield* r.copy(3 * 2 ** ((packed & 7) + 1));
  for (;;) {
    const introducer = await r.read(1);
    if (introducer[0] === 0x3b) {
      yield introducer;
      await r.drain();
      return;
    }
    if (introducer[0] === 0x2c) {
      const descriptor = await r.read(9);
      yield introducer;
      yield descriptor;
      if (descriptor[8] & 0x80) yield* r.copy(3 * 2 ** ((descriptor[8] & 7) + 1));
      yield await r.read(1); // LZW minimum code size
      yield* gifSubBlocks(r, true);
      continue;
    }
    if (introducer[0] !== 0x21) throw corrupt();
    const label = await r.read(1);
    if (label[0] === 0xfe) {
      yield* gifSubBlocks(r, false);
      continue;
    }
    if (label[0] === 0xff) {
      const first = await r.peek(12);
      const keep = GIF_KEEP_APPS.includes(first.toString("latin1", 1, 12));
      if (keep) yield Buffer.concat([introducer, label]);
      yield* gifSubBlocks(r, keep);
      continue;
    }
    yield Buffer.concat([introducer, label]);
    yield* gifSubBlocks(r, true);
  }
}

const BATCH = 64 * 1024;

/** Joins small pieces (GIF sub-blocks, marker bytes) into larger writes; large pieces pass as they are. */
async function* batched(source: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    if (piece.length === 0) continue;
    if (piece.length >= BATCH && pendingBytes === 0) {
      yield piece;
      continue;
    }
    // Copy: the reader reuses nothing, but a later concat must not alias a buffer still being filled.
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= BATCH) {
      yield Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/**
 * The image without its metadata, as a stream. `size` is the stripped length
 * from `strippedSize`; WebP writes it into its header (other formats ignore it).
 */
export function stripMetadata({
  mime,
  source,
  size,
}: {
  mime: string;
  source: AsyncIterable<Buffer | Uint8Array>;
  size?: number;
}): AsyncGenerator<Buffer> {
  const r = new ByteReader(source);
  switch (mime) {
    case "image/jpeg":
      return batched(stripJpeg(r));
    case "image/png":
      return batched(stripPng(r));
    case "image/webp":
      return batched(stripWebp(r, size));
    case "image/gif":
      return batched(stripGif(r));
    default:
      throw new AppError("unsupported_type");
  }
}

/** The stripped length: one pass that counts what `stripMetadata` would send. */
export async function strippedSize({ mime, source }: { mime: string; source: AsyncIterable<Buffer | Uint8Array> }): Promise<number> {
  let total = 0;
  for await (const piece of stripMetadata({ mime, source })) total += piece.length;
  return total;
}
