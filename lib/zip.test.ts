import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { createZipStream, type ZipEntry, zipContentLength } from "@/lib/zip";

const run = promisify(execFile);

// Python's zipfile, reading every entry (which checks each CRC), only those under 1 MiB ("small"), or none ("list").
const PY_CHECK = `
import hashlib, json, sys, zipfile
path, mode = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path) as z:
    out = []
    for info in z.infolist():
        digest = None
        if mode == "full" or (mode == "small" and info.file_size < (1 << 20)):
            h = hashlib.sha256()
            with z.open(info) as f:
                while True:
                    block = f.read(1 << 20)
                    if not block:
                        break
                    h.update(block)
            digest = h.hexdigest()
        out.append({"name": info.filename, "size": info.file_size, "sha256": digest,
                     "flags": info.flag_bits, "date_time": list(info.date_time), "offset": info.header_offset})
    print(json.dumps(out))
`;

type PyEntry = { name: string; size: number; sha256: string | null; flags: number; date_time: number[]; offset: number };

async function pythonRead(file: string, mode: "full" | "small" | "list"): Promise<PyEntry[]> {
  const { stdout } = await run("python3", ["-c", PY_CHECK, file, mode], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout) as PyEntry[];
}

async function unzipTest(file: string, ...members: string[]): Promise<string> {
  // Throws on a non-zero exit, which Info-ZIP uses for any warning or error.
  const { stdout } = await run("unzip", ["-tq", file, ...members], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: "C.UTF-8" } });
  return stdout;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function* chunksOf(data: Buffer, chunkSize: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += chunkSize) yield data.subarray(at, at + chunkSize);
}

function bufferEntry(name: string, data: Buffer, opts: { chunkSize?: number; mtime?: Date } = {}): ZipEntry {
  return { name, size: data.length, mtime: opts.mtime ?? new Date(), open: () => chunksOf(data, opts.chunkSize ?? 7919) };
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Writes the archive to disk with backpressure, sampling RSS along the way. */
async function writeZip(stream: AsyncIterable<Buffer>, file: string): Promise<{ bytes: number; peakRss: number }> {
  const out = createWriteStream(file);
  let bytes = 0;
  let peakRss = process.memoryUsage.rss();
  try {
    for await (const chunk of stream) {
      bytes += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return { bytes, peakRss };
}

function dosDateTime(d: Date): number[] {
  return [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds() & ~1];
}

const SIG_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const SIG_END64 = Buffer.from([0x50, 0x4b, 0x06, 0x06]);
const SIG_CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "zip-test-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("createZipStream", () => {
  it("round-trips entries through unzip and Python zipfile", async () => {
    const mtime = new Date(2024, 4, 17, 13, 45, 31);
    const files = [
      { name: "photo.jpg", data: randomBytes(200_000) },
      { name: "empty.png", data: Buffer.alloc(0) },
      { name: "caf\u00e9 \u6f22\u5b57 \u{1F600}.webp", data: randomBytes(70_001) },
      { name: "exactly-64k.bin", data: randomBytes(64 * 1024) },
      { name: "tiny.txt", data: Buffer.from("hello\n") },
    ];
    const entries = files.map((f, i) => bufferEntry(f.name, f.data, { mtime, chunkSize: [65536, 1, 4096, 65536, 3][i] }));
    const file = path.join(dir, "roundtrip.zip");
    const { bytes } = await writeZip(createZipStream({ entries }), file);

    expect(bytes).toBe(zipContentLength({ entries: files.map((f) => ({ name: f.name, size: f.data.length })) }));
    expect((await stat(file)).size).toBe(bytes);

    expect(await unzipTest(file)).toMatch(/No errors detected/);

    const listed = await pythonRead(file, "full");
    expect(listed.map((e) => e.name)).toEqual(files.map((f) => f.name));
    expect(listed.map((e) => e.sha256)).toEqual(files.map((f) => sha256(f.data)));
    expect(listed.map((e) => e.size)).toEqual(files.map((f) => f.data.length));
    for (const e of listed) {
      expect(e.flags).toBe(0x0808); // data descriptor + UTF-8
      expect(e.date_time).toEqual(dosDateTime(mtime));
    }

    // Info-ZIP extraction: names come out as UTF-8 files and the UT extra restores the exact mtime.
    const outDir = path.join(dir, "extracted");
    await run("unzip", ["-q", file, "-d", outDir], { env: { ...process.env, LC_ALL: "C.UTF-8" } });
    for (const f of files) {
      const p = path.join(outDir, f.name);
      expect(sha256(await readFile(p))).toBe(sha256(f.data));
      expect((await stat(p)).mtime.getTime()).toBe(Math.floor(mtime.getTime() / 1000) * 1000);
    }
  });

  it("writes a valid empty archive", async () => {
    const data = await collect(createZipStream({ entries: [] }));
    expect(data.length).toBe(zipContentLength({ entries: [] }));
    expect(data.length).toBe(22);
    const file = path.join(dir, "empty.zip");
    await writeZip(chunksOf(data, data.length), file);
    expect(await pythonRead(file, "full")).toEqual([]);
  });

  it("matches zipContentLength exactly for many shapes", async () => {
    const shapes: { name: string; size: number }[][] = [
      [],
      [{ name: "zero", size: 0 }],
      [{ name: "\u00e9", size: 1 }],
      [{ name: "\u{1F600}".repeat(50) + ".jpg", size: 65_535 }],
      [{ name: "x".repeat(65_535), size: 3 }],
      Array.from({ length: 1000 }, (_, i) => ({ name: `n${i}-\u00fc.jpg`, size: (i * 7919) % 5000 })),
    ];
    for (const shape of shapes) {
      const entries = shape.map((s) => bufferEntry(s.name, randomBytes(s.size), { chunkSize: 1000 }));
      const data = await collect(createZipStream({ entries }));
      expect(data.length).toBe(zipContentLength({ entries: shape }));
    }
  });

  it("accepts an async iterable of entries and opens each one only when it is written", async () => {
    const log: string[] = [];
    let open = 0;
    async function* source(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 3; i++) {
        log.push(`next ${i}`);
        yield {
          name: `e${i}`,
          size: 4,
          mtime: new Date(),
          open: async function* () {
            open += 1;
            expect(open).toBe(1);
            log.push(`open ${i}`);
            try {
              yield Buffer.from("data");
            } finally {
              open -= 1;
              log.push(`close ${i}`);
            }
          },
        };
      }
    }
    await collect(createZipStream({ entries: source() }));
    expect(log).toEqual(["next 0", "open 0", "close 0", "next 1", "open 1", "close 1", "next 2", "open 2", "close 2"]);
  });

  it("accepts Uint8Array chunks", async () => {
    const data = randomBytes(1000);
    const entry: ZipEntry = {
      name: "u8.bin",
      size: data.length,
      mtime: new Date(),
      open: async function* () {
        yield new Uint8Array(data.buffer, data.byteOffset, 500);
        yield new Uint8Array(data.buffer, data.byteOffset + 500, 500);
      },
    };
    const file = path.join(dir, "u8.zip");
    await writeZip(createZipStream({ entries: [entry] }), file);
    expect((await pythonRead(file, "full"))[0].sha256).toBe(sha256(data));
  });

  it("propagates an error from an entry's data and never emits the end of the archive", async () => {
    const failure = new AppError("integrity");
    let closed = false;
    const entries: ZipEntry[] = [
      bufferEntry("ok.jpg", randomBytes(300_000)),
      {
        name: "bad.jpg",
        size: 300_000,
        mtime: new Date(),
        open: async function* () {
          try {
            yield randomBytes(100_000);
            throw failure;
          } finally {
            closed = true;
          }
        },
      },
      bufferEntry("never.jpg", randomBytes(10)),
    ];
    const emitted: Buffer[] = [];
    let caught: unknown;
    try {
      for await (const chunk of createZipStream({ entries })) emitted.push(chunk);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(failure);
    expect(closed).toBe(true);
    const data = Buffer.concat(emitted);
    expect(data.includes(SIG_CENTRAL)).toBe(false);
    expect(data.includes(SIG_END)).toBe(false);
    expect(data.includes(Buffer.from("never.jpg"))).toBe(false);
  });

  it("closes the open entry when the consumer stops early", async () => {
    let closed = false;
    const entry: ZipEntry = {
      name: "big.bin",
      size: 10 * 1024 * 1024,
      mtime: new Date(),
      open: async function* () {
        try {
          for (let i = 0; i < 10; i++) yield Buffer.alloc(1024 * 1024);
        } finally {
          closed = true;
        }
      },
    };
    for await (const chunk of createZipStream({ entries: [entry] })) {
      if (chunk.length >= 1024 * 1024) break;
    }
    expect(closed).toBe(true);
  });

  it("throws when the data is shorter than declared", async () => {
    const entry: ZipEntry = { ...bufferEntry("short.jpg", randomBytes(100)), size: 101 };
    const stream = createZipStream({ entries: [entry] });
    await expect(collect(stream)).rejects.toMatchObject({ code: "integrity" });
  });

  it("throws before emitting data beyond the declared size", async () => {
    const data = randomBytes(200_000);
    const entry: ZipEntry = { ...bufferEntry("long.jpg", data, { chunkSize: 100_000 }), size: 150_000 };
    const emitted: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of createZipStream({ entries: [entry] })) emitted.push(chunk);
      })(),
    ).rejects.toBeInstanceOf(AppError);
    // Only the header and the first 100,000 bytes went out: never more than Content-Length promised.
    expect(Buffer.concat(emitted).length).toBeLessThan(zipContentLength({ entries: [{ name: "long.jpg", size: 150_000 }] }));
  });

  it("rejects invalid sizes and names", async () => {
    expect(() => zipContentLength({ entries: [{ name: "a", size: -1 }] })).toThrow(RangeError);
    expect(() => zipContentLength({ entries: [{ name: "a", size: 1.5 }] })).toThrow(RangeError);
    expect(() => zipContentLength({ entries: [{ name: "", size: 1 }] })).toThrow(RangeError);
    expect(() => zipContentLength({ entries: [{ name: "x".repeat(65_536), size: 1 }] })).toThrow(RangeError);
    await expect(collect(createZipStream({ entries: [bufferEntry("", Buffer.alloc(1))] }))).rejects.toThrow(RangeError);
  });

  it("clamps dates outside the DOS range instead of wrapping", async () => {
    const entries = [
      bufferEntry("old", Buffer.from("a"), { mtime: new Date(1970, 0, 1) }),
      bufferEntry("future", Buffer.from("b"), { mtime: new Date(2200, 0, 1) }),
      bufferEntry("invalid", Buffer.from("c"), { mtime: new Date(Number.NaN) }),
    ];
    const file = path.join(dir, "dates.zip");
    await writeZip(createZipStream({ entries }), file);
    await unzipTest(file);
    const listed = await pythonRead(file, "full");
    expect(listed.map((e) => e.date_time[0])).toEqual([1980, 2107, 1980]);
  });

  it("uses ZIP64 end records for more than 65,535 entries", async () => {
    const count = 70_000;
    const names = Array.from({ length: count }, (_, i) => `f${String(i).padStart(5, "0")}.txt`);
    const entries = names.map((name, i) => bufferEntry(name, Buffer.from(`entry ${i}\n`)));
    const file = path.join(dir, "many.zip");
    const started = Date.now();
    const { bytes } = await writeZip(createZipStream({ entries }), file);
    const written = Date.now() - started;

    expect(bytes).toBe(zipContentLength({ entries: entries.map((e) => ({ name: e.name, size: e.size })) }));
    const tail = (await readFile(file)).subarray(-22 - 20 - 56);
    expect(tail.subarray(0, 4)).toEqual(SIG_END64);
    expect(tail.readUInt16LE(56 + 20 + 10)).toBe(0xffff); // classic total-entries field points to ZIP64

    expect(await unzipTest(file)).toMatch(/No errors detected/);
    const listed = await pythonRead(file, "full");
    expect(listed.length).toBe(count);
    expect(listed[0].name).toBe(names[0]);
    expect(listed[count - 1].name).toBe(names[count - 1]);
    expect(listed[count - 1].sha256).toBe(sha256(Buffer.from(`entry ${count - 1}\n`)));
    console.log(`[zip] ${count} entries: ${bytes} bytes written in ${written} ms, verified in ${Date.now() - started - written} ms`);
  });

  it("lays out ZIP64 sizes and offsets past 4 GiB (checked on a sparse file)", async () => {
    // The big entry streams 4 GiB of one zero block; the writer below leaves holes
    // where that block would go, so the test touches little disk. The big entry's
    // CRC is still computed by the writer; the ZIP_BIG test reads it all back.
    const zeros = Buffer.alloc(1024 * 1024);
    const exact = 0xffffffff; // the classic field's marker value itself must go to ZIP64
    const head = randomBytes(1000);
    const tail = randomBytes(5000);
    const entries: ZipEntry[] = [
      bufferEntry("head.bin", head),
      {
        name: "exactly-4gib-minus-1.bin",
        size: exact,
        mtime: new Date(),
        open: async function* () {
          for (let left = exact; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
        },
      },
      bufferEntry("after-4gib.bin", tail),
    ];
    const file = path.join(dir, "sparse.zip");
    const handle = await open(file, "w");
    let position = 0;
    try {
      for await (const chunk of createZipStream({ entries })) {
        if (chunk !== zeros) await handle.write(chunk, 0, chunk.length, position);
        position += chunk.length;
      }
      await handle.truncate(position);
    } finally {
      await handle.close();
    }
    try {
      expect(position).toBe(zipContentLength({ entries: entries.map((e) => ({ name: e.name, size: e.size })) }));
      const listed = await pythonRead(file, "small");
      expect(listed.map((e) => [e.name, e.size, e.sha256])).toEqual([
        ["head.bin", head.length, sha256(head)],
        ["exactly-4gib-minus-1.bin", exact, null],
        ["after-4gib.bin", tail.length, sha256(tail)],
      ]);
      expect(listed[2].offset).toBeGreaterThan(0xffffffff);
      // Info-ZIP parses the ZIP64 end records and central directory, and checks the entry past 4 GiB.
      const { stdout } = await run("unzip", ["-l", file]);
      expect(stdout).toMatch(/4294967295\s.*exactly-4gib-minus-1\.bin/);
      expect(await unzipTest(file, "head.bin", "after-4gib.bin")).toMatch(/No errors detected/);
    } finally {
      await rm(file, { force: true });
    }
  });
});

// Writes, then reads back, about 4.3 GB on disk; enable with ZIP_BIG=1.
describe.runIf(process.env.ZIP_BIG === "1")("createZipStream over 4 GiB", () => {
  it("writes ZIP64 sizes and offsets that unzip and Python accept", { timeout: 15 * 60_000 }, async () => {
    const block = randomBytes(1024 * 1024);
    const bigSize = 4 * 1024 ** 3 + 3 * 1024 * 1024 + 17; // over 4 GiB, not a multiple of the block
    let bigHash = "";
    const big: ZipEntry = {
      name: "big.bin",
      size: bigSize,
      mtime: new Date(),
      open: async function* () {
        const hash = createHash("sha256");
        for (let left = bigSize; left > 0; left -= block.length) {
          const chunk = left >= block.length ? block : block.subarray(0, left);
          hash.update(chunk);
          yield chunk;
        }
        bigHash = hash.digest("hex");
      },
    };
    const head = randomBytes(1000);
    const tail = randomBytes(5000);
    const entries = [bufferEntry("head.bin", head), big, bufferEntry("after-4gib.bin", tail)];
    const file = path.join(dir, "big.zip");

    try {
      const baseline = process.memoryUsage.rss();
      const started = Date.now();
      const { bytes, peakRss } = await writeZip(createZipStream({ entries }), file);
      const writeMs = Date.now() - started;

      expect(bytes).toBeGreaterThan(4 * 1024 ** 3);
      expect(bytes).toBe(zipContentLength({ entries: entries.map((e) => ({ name: e.name, size: e.size })) }));
      expect((await stat(file)).size).toBe(bytes);

      const checkStarted = Date.now();
      expect(await unzipTest(file)).toMatch(/No errors detected/);
      const unzipMs = Date.now() - checkStarted;

      const pyStarted = Date.now();
      const listed = await pythonRead(file, "full");
      const pyMs = Date.now() - pyStarted;
      expect(listed.map((e) => [e.name, e.size, e.sha256])).toEqual([
        ["head.bin", head.length, sha256(head)],
        ["big.bin", bigSize, bigHash],
        ["after-4gib.bin", tail.length, sha256(tail)],
      ]);
      expect(listed[2].offset).toBeGreaterThan(0xffffffff);

      console.log(
        `[zip] ${bytes} bytes: write ${writeMs} ms, unzip -t ${unzipMs} ms, python ${pyMs} ms, ` +
          `peak RSS growth ${((peakRss - baseline) / 1024 / 1024).toFixed(1)} MiB`,
      );
    } finally {
      await rm(file, { force: true });
    }
  });
});
