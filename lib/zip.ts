import "server-only";

import { crc32 } from "node:zlib";

import { AppError } from "@/lib/errors";

/**
 * A streaming ZIP writer for STORED entries, with ZIP64 where sizes, offsets
 * or the entry count need it (PKWARE APPNOTE 6.3.10, sections 4.3 to 4.5).
 *
 * Why our own writer: the byte length of the archive must be known before
 * the first byte is sent (Content-Length, so browsers show progress), and
 * every header here depends only on the entry names and declared sizes.
 * zipContentLength() and the writer share the same size functions below.
 *
 * Layout, per entry:
 *   local header  name  [ZIP64 extra if size >= 0xFFFFFFFF]  UT extra
 *   data          stored as is
 *   descriptor    signature, CRC-32, sizes (8-byte sizes when the local header has ZIP64)
 * then the central directory, the ZIP64 end records if anything overflows
 * the classic fields, and the classic end record.
 *
 * The CRC is only known after the data has streamed, hence general purpose
 * bit 3 (data descriptor). Readers that use the central directory take sizes
 * and CRC from there (checked with Info-ZIP unzip 6.0, Python's zipfile,
 * Go's archive/zip and the JDK's jar).
 */

export type ZipEntry = {
  /** Used verbatim as the entry name: sanitise it first (see sanitizeZipNames). */
  name: string;
  /** Exact byte length of the data; the archive layout depends on it, so a mismatch aborts the stream. */
  size: number;
  mtime: Date;
  /** Called only when the entry is written, so at most one entry's data is open at a time. */
  open: () => AsyncIterable<Buffer | Uint8Array>;
};

const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_END = 0x06054b50;

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

const VERSION_ZIP64 = 45; // 4.5: ZIP64
const VERSION_BASIC = 20; // 2.0: data descriptor
// High byte 3 = Unix, so extractors apply the permission bits in EXTERNAL_ATTRS instead of guessing.
const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64;
const EXTERNAL_ATTRS = (0o100644 << 16) >>> 0; // regular file, rw-r--r--

const FLAG_DATA_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11; // names are UTF-8, not CP437
const FLAGS = FLAG_DATA_DESCRIPTOR | FLAG_UTF8;
const METHOD_STORED = 0;

const EXTRA_ZIP64 = 0x0001;
// Info-ZIP extended timestamp: DOS times are local time with 2 s resolution and
// no zone; this carries the exact UTC instant for extractors that read it.
const EXTRA_UT = 0x5455;

const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const UT_EXTRA_SIZE = 4 + 5; // header, flags byte, 32-bit mtime (same in local and central)
const LOCAL_ZIP64_EXTRA_SIZE = 4 + 16; // a local ZIP64 extra must hold both sizes
const DESCRIPTOR_SIZE = 16;
const DESCRIPTOR64_SIZE = 24;
const END64_SIZE = 56;
const LOCATOR64_SIZE = 20;
const END_SIZE = 22;

const BATCH_BYTES = 64 * 1024;

// A value of exactly 0xFFFFFFFF is itself the "see ZIP64" marker, so it already needs ZIP64.
function sizeNeedsZip64(size: number): boolean {
  return size >= U32_MAX;
}

function offsetNeedsZip64(offset: number): boolean {
  return offset >= U32_MAX;
}

function localRecordSize(nameBytes: number, size: number): number {
  const big = sizeNeedsZip64(size);
  return (
    LOCAL_HEADER_SIZE +
    nameBytes +
    (big ? LOCAL_ZIP64_EXTRA_SIZE : 0) +
    UT_EXTRA_SIZE +
    size +
    (big ? DESCRIPTOR64_SIZE : DESCRIPTOR_SIZE)
  );
}

/**
 * Fields of the central ZIP64 extra, in the order 4.5.3 fixes: both sizes
 * whenever the entry needs ZIP64 at all, then the offset if it overflows.
 * Sizes are included even when only the offset overflows because Info-ZIP
 * 6.0 decides which fields are present from the previous entry's size too
 * (a stale G.lrec.ucsize): after an entry of exactly 0xFFFFFFFF bytes it
 * would read an offset-only extra as sizes and report it corrupt.
 */
function centralZip64Fields(size: number, offset: number): number[] {
  if (!sizeNeedsZip64(size) && !offsetNeedsZip64(offset)) return [];
  return offsetNeedsZip64(offset) ? [size, size, offset] : [size, size]; // uncompressed, compressed, offset
}

function centralRecordSize(nameBytes: number, size: number, offset: number): number {
  const zip64Fields = centralZip64Fields(size, offset).length;
  return CENTRAL_HEADER_SIZE + nameBytes + (zip64Fields > 0 ? 4 + 8 * zip64Fields : 0) + UT_EXTRA_SIZE;
}

function endNeedsZip64(count: number, cdSize: number, cdOffset: number): boolean {
  return count >= U16_MAX || cdSize >= U32_MAX || cdOffset >= U32_MAX;
}

function endRecordsSize(count: number, cdSize: number, cdOffset: number): number {
  return (endNeedsZip64(count, cdSize, cdOffset) ? END64_SIZE + LOCATOR64_SIZE : 0) + END_SIZE;
}

function encodeName(name: string): Buffer {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length === 0 || bytes.length > U16_MAX) {
    throw new RangeError(`zip entry name must be 1 to ${U16_MAX} UTF-8 bytes, got ${bytes.length}`);
  }
  return bytes;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`zip entry size must be a non-negative integer, got ${size}`);
}

/**
 * The exact number of bytes createZipStream() produces for these entries, in
 * this order, provided every entry delivers its declared size.
 */
export function zipContentLength({ entries }: { entries: { name: string; size: number }[] }): number {
  let offset = 0;
  let cdSize = 0;
  for (const entry of entries) {
    checkSize(entry.size);
    const nameBytes = encodeName(entry.name).length;
    cdSize += centralRecordSize(nameBytes, entry.size, offset);
    offset += localRecordSize(nameBytes, entry.size);
  }
  return offset + cdSize + endRecordsSize(entries.length, cdSize, offset);
}

type DosDateTime = { time: number; date: number; unix: number };

function timestamps(mtime: Date): DosDateTime {
  let ms = mtime.getTime();
  // A broken timestamp should not cost the user their download; 1980 is the DOS epoch.
  if (!Number.isFinite(ms)) ms = Date.UTC(1980, 0, 1);
  let d = new Date(ms);
  // DOS dates cover 1980..2107; clamp rather than wrap into a nonsense date.
  if (d.getFullYear() < 1980) d = new Date(1980, 0, 1, 0, 0, 0);
  if (d.getFullYear() > 2107) d = new Date(2107, 11, 31, 23, 59, 58);
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
  const date = ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  // Extractors read the UT field as a signed 32-bit value.
  const unix = Math.min(Math.max(Math.floor(ms / 1000), 0), 0x7fffffff);
  return { time, date, unix };
}

function writeUtExtra(buf: Buffer, at: number, unix: number): number {
  at = buf.writeUInt16LE(EXTRA_UT, at);
  at = buf.writeUInt16LE(5, at);
  at = buf.writeUInt8(1, at); // bit 0: modification time present
  return buf.writeUInt32LE(unix, at);
}

function localHeader(name: Buffer, size: number, ts: DosDateTime): Buffer {
  const big = sizeNeedsZip64(size);
  const extraLength = (big ? LOCAL_ZIP64_EXTRA_SIZE : 0) + UT_EXTRA_SIZE;
  const buf = Buffer.alloc(LOCAL_HEADER_SIZE + name.length + extraLength);
  let at = buf.writeUInt32LE(SIG_LOCAL, 0);
  at = buf.writeUInt16LE(big ? VERSION_ZIP64 : VERSION_BASIC, at);
  at = buf.writeUInt16LE(FLAGS, at);
  at = buf.writeUInt16LE(METHOD_STORED, at);
  at = buf.writeUInt16LE(ts.time, at);
  at = buf.writeUInt16LE(ts.date, at);
  // With bit 3 the CRC and sizes live in the data descriptor; here they are zero
  // (4.4.4), or the ZIP64 marker pointing at an extra that is itself zero.
  at = buf.writeUInt32LE(0, at);
  at = buf.writeUInt32LE(big ? U32_MAX : 0, at);
  at = buf.writeUInt32LE(big ? U32_MAX : 0, at);
  at = buf.writeUInt16LE(name.length, at);
  at = buf.writeUInt16LE(extraLength, at);
  at += name.copy(buf, at);
  if (big) {
    at = buf.writeUInt16LE(EXTRA_ZIP64, at);
    at = buf.writeUInt16LE(16, at);
    at = buf.writeBigUInt64LE(0n, at);
    at = buf.writeBigUInt64LE(0n, at);
  }
  writeUtExtra(buf, at, ts.unix);
  return buf;
}

function dataDescriptor(crc: number, size: number): Buffer {
  // 4.3.9.2: the sizes are 8 bytes exactly when the local header carries a ZIP64 extra.
  if (sizeNeedsZip64(size)) {
    const buf = Buffer.alloc(DESCRIPTOR64_SIZE);
    let at = buf.writeUInt32LE(SIG_DESCRIPTOR, 0);
    at = buf.writeUInt32LE(crc, at);
    at = buf.writeBigUInt64LE(BigInt(size), at);
    buf.writeBigUInt64LE(BigInt(size), at);
    return buf;
  }
  const buf = Buffer.alloc(DESCRIPTOR_SIZE);
  let at = buf.writeUInt32LE(SIG_DESCRIPTOR, 0);
  at = buf.writeUInt32LE(crc, at);
  at = buf.writeUInt32LE(size, at);
  buf.writeUInt32LE(size, at);
  return buf;
}

type CentralRecord = { name: Buffer; size: number; offset: number; crc: number; ts: DosDateTime };

function writeCentralRecord(buf: Buffer, at: number, r: CentralRecord): number {
  const zip64 = centralZip64Fields(r.size, r.offset);
  const zip64ExtraLength = zip64.length > 0 ? 4 + 8 * zip64.length : 0;
  // The size fields hold the marker whenever the extra carries the sizes (see centralZip64Fields).
  const bigSize = zip64.length > 0;
  const bigOffset = offsetNeedsZip64(r.offset);
  at = buf.writeUInt32LE(SIG_CENTRAL, at);
  at = buf.writeUInt16LE(VERSION_MADE_BY, at);
  at = buf.writeUInt16LE(bigSize ? VERSION_ZIP64 : VERSION_BASIC, at);
  at = buf.writeUInt16LE(FLAGS, at);
  at = buf.writeUInt16LE(METHOD_STORED, at);
  at = buf.writeUInt16LE(r.ts.time, at);
  at = buf.writeUInt16LE(r.ts.date, at);
  at = buf.writeUInt32LE(r.crc, at);
  at = buf.writeUInt32LE(bigSize ? U32_MAX : r.size, at);
  at = buf.writeUInt32LE(bigSize ? U32_MAX : r.size, at);
  at = buf.writeUInt16LE(r.name.length, at);
  at = buf.writeUInt16LE(zip64ExtraLength + UT_EXTRA_SIZE, at);
  at = buf.writeUInt16LE(0, at); // comment length
  at = buf.writeUInt16LE(0, at); // disk number start
  at = buf.writeUInt16LE(0, at); // internal attributes
  at = buf.writeUInt32LE(EXTERNAL_ATTRS, at);
  at = buf.writeUInt32LE(bigOffset ? U32_MAX : r.offset, at);
  at += r.name.copy(buf, at);
  if (zip64.length > 0) {
    at = buf.writeUInt16LE(EXTRA_ZIP64, at);
    at = buf.writeUInt16LE(8 * zip64.length, at);
    for (const value of zip64) at = buf.writeBigUInt64LE(BigInt(value), at);
  }
  return writeUtExtra(buf, at, r.ts.unix);
}

function endRecords(count: number, cdSize: number, cdOffset: number): Buffer {
  const zip64 = endNeedsZip64(count, cdSize, cdOffset);
  const buf = Buffer.alloc(endRecordsSize(count, cdSize, cdOffset));
  let at = 0;
  if (zip64) {
    const end64Offset = cdOffset + cdSize;
    at = buf.writeUInt32LE(SIG_END64, at);
    at = buf.writeBigUInt64LE(BigInt(END64_SIZE - 12), at); // size of the rest of this record
    at = buf.writeUInt16LE(VERSION_MADE_BY, at);
    at = buf.writeUInt16LE(VERSION_ZIP64, at);
    at = buf.writeUInt32LE(0, at); // this disk
    at = buf.writeUInt32LE(0, at); // disk with the central directory
    at = buf.writeBigUInt64LE(BigInt(count), at); // entries on this disk
    at = buf.writeBigUInt64LE(BigInt(count), at); // entries in total
    at = buf.writeBigUInt64LE(BigInt(cdSize), at);
    at = buf.writeBigUInt64LE(BigInt(cdOffset), at);
    at = buf.writeUInt32LE(SIG_LOCATOR64, at);
    at = buf.writeUInt32LE(0, at); // disk with the ZIP64 end record
    at = buf.writeBigUInt64LE(BigInt(end64Offset), at);
    at = buf.writeUInt32LE(1, at); // total disks
  }
  // Overflowing fields hold the marker that sends readers to the ZIP64 record.
  const count16 = Math.min(count, U16_MAX);
  at = buf.writeUInt32LE(SIG_END, at);
  at = buf.writeUInt16LE(0, at); // this disk
  at = buf.writeUInt16LE(0, at); // disk with the central directory
  at = buf.writeUInt16LE(count16, at);
  at = buf.writeUInt16LE(count16, at);
  at = buf.writeUInt32LE(Math.min(cdSize, U32_MAX), at);
  at = buf.writeUInt32LE(Math.min(cdOffset, U32_MAX), at);
  buf.writeUInt16LE(0, at); // comment length
  return buf;
}

/**
 * Gathers small pieces (headers, tiny files) into 64 KiB chunks, so 70,000
 * entries are not 210,000 writes. Small pieces are copied at once, because a
 * source may reuse its buffer after yielding it; large chunks pass through.
 */
class Batcher {
  private buf = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;

  push(chunk: Buffer): Buffer[] {
    if (chunk.length >= BATCH_BYTES) return [...this.flush(), chunk];
    const out = this.used + chunk.length > BATCH_BYTES ? this.flush() : [];
    this.used += chunk.copy(this.buf, this.used);
    return out;
  }

  flush(): Buffer[] {
    if (this.used === 0) return [];
    const out = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    return [out];
  }
}

function sizeMismatch(name: string, expected: number, actual: string): AppError {
  return new AppError("integrity", undefined, {
    cause: new Error(`zip entry "${name}": declared ${expected} bytes, data has ${actual}`),
  });
}

/**
 * Streams a ZIP archive of `entries`, one entry at a time: memory stays flat
 * whatever the data size (only the central directory, about 100 bytes per
 * entry, is kept until the end). Its length is exactly zipContentLength() of
 * the same names and sizes.
 *
 * Any error from an entry's data, or data that does not match the declared
 * size, is thrown straight out of the generator before the end records, so
 * an aborted response never looks like a complete archive.
 */
export async function* createZipStream({
  entries,
}: {
  entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>;
}): AsyncGenerator<Buffer> {
  const out = new Batcher();
  const central: CentralRecord[] = [];
  let offset = 0;

  for await (const entry of entries) {
    checkSize(entry.size);
    const name = encodeName(entry.name);
    const ts = timestamps(entry.mtime);
    const header = localHeader(name, entry.size, ts);
    const entryOffset = offset;
    yield* out.push(header);
    offset += header.length;

    let crc = 0;
    let written = 0;
    for await (const raw of entry.open()) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      // Checked before emitting, so the stream never runs past the advertised Content-Length.
      if (written + chunk.length > entry.size) throw sizeMismatch(entry.name, entry.size, `at least ${written + chunk.length}`);
      crc = crc32(chunk, crc);
      written += chunk.length;
      yield* out.push(chunk);
    }
    if (written !== entry.size) throw sizeMismatch(entry.name, entry.size, String(written));
    offset += written;

    const descriptor = dataDescriptor(crc, entry.size);
    yield* out.push(descriptor);
    offset += descriptor.length;
    central.push({ name, size: entry.size, offset: entryOffset, crc, ts });
  }

  const cdOffset = offset;
  let cdSize = 0;
  for (const record of central) {
    const buf = Buffer.alloc(centralRecordSize(record.name.length, record.size, record.offset));
    writeCentralRecord(buf, 0, record);
    cdSize += buf.length;
    yield* out.push(buf);
  }

  yield* out.push(endRecords(central.length, cdSize, cdOffset));
  yield* out.flush();
}
