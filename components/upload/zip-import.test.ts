import JSZip from "jszip";
import { describe, expect, it, vi } from "vitest";

import { UploadEngine } from "@/components/upload/engine";
import type { UploadTransport as Transport } from "@/components/upload/transport";
import {
  EXTRACT_FAILED_MESSAGE,
  MAX_ZIP_BYTES,
  NO_IMAGES_MESSAGE,
  entryBaseName,
  hasZipSignature,
  isImageEntryName,
  isZipByName,
  listZipImages,
  startsLikeZip,
  zipFoundText,
  zipTooLargeMessage,
  zipUnreadableMessage,
} from "@/components/upload/zip-import";


const bytes = (text: string) => new TextEncoder().encode(text);

async function zipOf(entries: Record<string, string | Uint8Array | null>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [path, content] of Object.entries(entries)) {
    if (content === null) zip.folder(path);
    else zip.file(path, content);
  }
  return zip.generateAsync({ type: "uint8array", compression: "DEFLATE" });
}

const asFile = (data: Uint8Array, name: string, type = "") => new File([data as BlobPart], name, { type });

describe("entryBaseName", () => {
  it("strips folders, with either slash", () => {
    expect(entryBaseName("a.png")).toBe("a.png");
    expect(entryBaseName("trip/day 1/IMG_0001.JPG")).toBe("IMG_0001.JPG");
    expect(entryBaseName("trip\\day 1\\b.jpg")).toBe("b.jpg");
    expect(entryBaseName("trip/")).toBe("");
    expect(entryBaseName("семь ✓/фото.webp")).toBe("фото.webp");
  });
});

describe("isImageEntryName", () => {
  it("accepts image extensions in any case, at any depth", () => {
    for (const ext of ["jpg", "jpeg", "png", "gif", "webp", "avif", "tif", "tiff", "heic", "heif"]) {
      expect(isImageEntryName(`x.${ext}`), ext).toBe(true);
      expect(isImageEntryName(`deep/er/X.${ext.toUpperCase()}`), ext).toBe(true);
    }
    expect(isImageEntryName("My Photo.final.JpEg")).toBe(true);
  });

  it("rejects folders, other files, dot-files, __MACOSX and hidden folders", () => {
    for (const name of [
      "",
      "photos/",
      "photos.png/",
      "notes.txt",
      "archive.zip",
      "picture.svg",
      "png",
      "jpg.",
      ".png",
      "._a.png",
      "trip/.DS_Store",
      "trip/._b.jpg",
      "__MACOSX/._a.png",
      "__MACOSX/trip/x.png",
      "trip/.thumbnails/a.png",
      "trip/Thumbs.db",
    ]) {
      expect(isImageEntryName(name), name).toBe(false);
    }
  });
});

describe("recognising archives", () => {
  it("by name or MIME type", () => {
    expect(isZipByName({ name: "Holiday.ZIP", type: "" })).toBe(true);
    expect(isZipByName({ name: "holiday", type: "application/zip" })).toBe(true);
    expect(isZipByName({ name: "holiday", type: "application/x-zip-compressed" })).toBe(true);
    expect(isZipByName({ name: "holiday.zip.png", type: "image/png" })).toBe(false);
  });

  it("by the local file header signature", async () => {
    expect(hasZipSignature([0x50, 0x4b, 0x03, 0x04, 0])).toBe(true);
    expect(hasZipSignature([0x50, 0x4b, 0x05, 0x06])).toBe(false);
    expect(hasZipSignature([0x50, 0x4b])).toBe(false);
    const zip = await zipOf({ "a.png": "x" });
    expect(await startsLikeZip(new Blob([zip as BlobPart]))).toBe(true);
    expect(await startsLikeZip(new Blob([bytes("PK but not really")]))).toBe(false);
    expect(await startsLikeZip(new Blob([]))).toBe(false);
  });
});

describe("messages", () => {
  it("reads well", () => {
    expect(zipFoundText("holiday.zip", 12, 0)).toBe("holiday.zip: 12 images found");
    expect(zipFoundText("holiday.zip", 1, 2)).toBe("holiday.zip: 1 image found; 2 other files skipped");
    expect(zipUnreadableMessage("holiday.zip")).toBe("holiday.zip could not be opened as a ZIP archive.");
    expect(zipTooLargeMessage(MAX_ZIP_BYTES + 600 * 1024 ** 2)).toBe(
      "This ZIP archive is too large to open in the browser (2.6 GB; the limit is 2 GB).",
    );
  });
});

describe("listZipImages", () => {
  it("lists images by base name in archive order, skipping folders, litter and other files", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const zip = await zipOf({
      "a.png": png,
      "photos/": null,
      "photos/2024/c.JPG": bytes("jpeg bytes"),
      "notes.txt": "hello",
      "__MACOSX/._a.png": "appledouble",
      ".DS_Store": "x",
      "b.heic": bytes("heic"),
    });
    const listing = await listZipImages(new Blob([zip as BlobPart]));
    expect(listing.images.map((image) => [image.name, image.path, image.size])).toEqual([
      ["a.png", "a.png", png.length],
      ["c.JPG", "photos/2024/c.JPG", 10],
      ["b.heic", "b.heic", 4],
    ]);
    expect(listing.skipped).toBe(1);

    const file = await listing.images[0].extract();
    expect(file).toBeInstanceOf(File);
    expect(file.name).toBe("a.png");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);
    const nested = await listing.images[1].extract();
    expect(nested.name).toBe("c.JPG");
    expect(await nested.text()).toBe("jpeg bytes");
  });

  it("decompresses nothing until extract() is called", async () => {
    const zip = await zipOf({ "a.png": "1", "b.png": "2" });
    const inflate = spyOnEntryAsync();
    try {
      const listing = await listZipImages(new Blob([zip as BlobPart]));
      expect(listing.images).toHaveLength(2);
      expect(inflate.log).toEqual([]);
      await listing.images[1].extract();
      expect(inflate.log).toEqual(["b.png"]);
    } finally {
      inflate.restore();
    }
  });

  it("rejects data that is not a readable ZIP", async () => {
    await expect(listZipImages(new Blob([bytes("definitely not a zip archive")]))).rejects.toThrow();
    const zip = await zipOf({ "a.png": "x".repeat(1000) });
    await expect(listZipImages(new Blob([zip.slice(0, zip.length - 30) as BlobPart]))).rejects.toThrow();
  });

  it("rejects encrypted archives", async () => {
    const zip = await zipOf({ "a.png": "secret" });
    // Set the "encrypted" bit of the general purpose flags in the central directory header.
    const at = findSignature(zip, [0x50, 0x4b, 0x01, 0x02]);
    zip[at + 8] |= 1;
    await expect(listZipImages(new Blob([zip as BlobPart]))).rejects.toThrow(/encrypted/i);
  });
});

/** Records which entries JSZip inflates (ZipObject.prototype.async), in order. */
function spyOnEntryAsync(onCall?: () => void) {
  const probe = new JSZip().file("probe", "x").file("probe")!;
  const proto = Object.getPrototypeOf(probe) as { async: JSZip.JSZipObject["async"] };
  const original = proto.async;
  const log: string[] = [];
  proto.async = function (this: JSZip.JSZipObject, ...args: Parameters<JSZip.JSZipObject["async"]>) {
    log.push(this.name);
    onCall?.();
    return original.apply(this, args);
  } as JSZip.JSZipObject["async"];
  return { log, restore: () => void (proto.async = original) };
}

function findSignature(data: Uint8Array, sig: number[]): number {
  for (let i = 0; i + sig.length <= data.length; i++) if (sig.every((b, j) => data[i + j] === b)) return i;
  throw new Error("signature not found");
}

// ---------------------------------------------------------------- through the upload engine

type Call = { op: string; name?: string; size?: number; body?: string };

function fakeTransport(calls: Call[], partSize = 1024 * 1024): Transport {
  const names = new Map<string, string>();
  let n = 0;
  return {
    async begin({ name, size }) {
      calls.push({ op: "begin", name, size });
      const uploadId = `u${++n}`;
      names.set(uploadId, name);
      return { status: "success", data: { uploadId, partSize } as never };
    },
    async putPart(uploadId, _index, body, onProgress) {
      calls.push({ op: "put", name: names.get(uploadId), body: await body.text() });
      onProgress(body.size);
    },
    async complete(uploadId) {
      calls.push({ op: "complete", name: names.get(uploadId) });
      return { status: "success", data: { id: uploadId, name: names.get(uploadId) } as never };
    },
    async abort(uploadId) {
      calls.push({ op: "abort", name: names.get(uploadId) });
    },
  };
}

async function settle(engine: InstanceType<typeof UploadEngine>) {
  await vi.waitFor(
    () => {
      const { rows, notices } = engine.getSnapshot();
      if (notices.some((notice) => notice.state === "opening")) throw new Error("still opening");
      if (rows.length === 0 || rows.some((row) => row.status !== "done" && row.status !== "error")) throw new Error("busy");
    },
    { timeout: 10_000, interval: 10 },
  );
  await new Promise((r) => setTimeout(r, 0));
}

describe("UploadEngine with ZIP archives", () => {
  it("uploads each image inside as its own file, by base name; the archive itself is never sent", async () => {
    const calls: Call[] = [];
    const uploaded: string[] = [];
    const engine = new UploadEngine({ maxBytes: 1024 * 1024, onUploaded: (item) => uploaded.push(item.name) }, fakeTransport(calls));
    const zip = await zipOf({
      "a.png": "AAAA",
      "trip/": null,
      "trip/b.jpg": "BBBBBB",
      "notes.txt": "skip me",
      "__MACOSX/._a.png": "litter",
    });
    engine.add([asFile(zip, "trip.zip", "application/zip")]);
    expect(engine.getSnapshot().notices).toEqual([expect.objectContaining({ name: "trip.zip", state: "opening" })]);
    await settle(engine);

    const { rows, notices, announcement } = engine.getSnapshot();
    expect(rows.map((row) => [row.name, row.status, row.size])).toEqual([
      ["a.png", "done", 4],
      ["b.jpg", "done", 6],
    ]);
    expect(notices).toEqual([expect.objectContaining({ state: "opened", text: "trip.zip: 2 images found; 1 other file skipped" })]);
    expect(announcement).toBe("Uploaded 2 images.");
    expect(calls.filter((c) => c.op === "begin")).toEqual([
      { op: "begin", name: "a.png", size: 4 },
      { op: "begin", name: "b.jpg", size: 6 },
    ]);
    expect(calls.filter((c) => c.op === "put").map((c) => c.body)).toEqual(["AAAA", "BBBBBB"]);
    expect(uploaded).toEqual(["a.png", "b.jpg"]);

    engine.clearFinished();
    expect(engine.getSnapshot().notices).toEqual([]);
  });

  it("extracts an entry only when its upload starts", async () => {
    const calls: Call[] = [];
    const engine = new UploadEngine({ maxBytes: 1024 * 1024, onUploaded: () => {} }, fakeTransport(calls));
    const names = Array.from({ length: 6 }, (_, i) => `img${i}.png`);
    const zip = await zipOf(Object.fromEntries(names.map((name) => [name, name])));
    const inflate = spyOnEntryAsync(() => calls.push({ op: "extract" }));
    try {
      engine.add([asFile(zip, "many.zip")]);
      await settle(engine);
    } finally {
      inflate.restore();
    }
    expect(engine.getSnapshot().rows.map((row) => row.status)).toEqual(Array(6).fill("done"));
    expect(inflate.log).toEqual(names);
    // Three run at once: the fourth image is inflated only after an earlier upload has finished.
    const ops = calls.map((c) => c.op);
    const extracts = ops.flatMap((op, i) => (op === "extract" ? [i] : []));
    expect(extracts).toHaveLength(6);
    expect(extracts[3]).toBeGreaterThan(ops.indexOf("complete"));
  });

  it("recognises an archive by its first bytes, whatever its name", async () => {
    const calls: Call[] = [];
    const engine = new UploadEngine({ maxBytes: 1024 * 1024, onUploaded: () => {} }, fakeTransport(calls));
    const zip = await zipOf({ "x.webp": "WEBP" });
    engine.add([asFile(zip, "download"), asFile(bytes("not an image, not a zip"), "other.bin", "application/octet-stream")]);
    await settle(engine);
    const { rows } = engine.getSnapshot();
    expect(rows.map((row) => row.name).sort()).toEqual(["other.bin", "x.webp"]);
    expect(calls.filter((c) => c.op === "begin").map((c) => c.name).sort()).toEqual(["other.bin", "x.webp"]);
  });

  it("a corrupt archive, one without images and one too large each get an error row", async () => {
    const calls: Call[] = [];
    const engine = new UploadEngine({ maxBytes: 1024 * 1024, onUploaded: () => {} }, fakeTransport(calls));
    const huge = asFile(new Uint8Array(1), "huge.zip");
    Object.defineProperty(huge, "size", { value: MAX_ZIP_BYTES + 1 });
    engine.add([
      asFile(bytes("PK\x03\x04 but then garbage"), "holiday.zip", "application/zip"),
      asFile(await zipOf({ "readme.txt": "hi", "folder/": null }), "empty.zip"),
      huge,
      asFile(bytes("pixels"), "loose.png", "image/png"),
    ]);
    await settle(engine);
    const { rows, notices, announcement } = engine.getSnapshot();
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    expect(byName["holiday.zip"]).toMatchObject({ status: "error", error: "holiday.zip could not be opened as a ZIP archive." });
    expect(byName["empty.zip"]).toMatchObject({ status: "error", error: NO_IMAGES_MESSAGE });
    expect(byName["huge.zip"]).toMatchObject({ status: "error", error: zipTooLargeMessage(MAX_ZIP_BYTES + 1) });
    expect(byName["loose.png"]).toMatchObject({ status: "done" });
    expect(notices).toEqual([]);
    expect(announcement).toBe("Uploaded 1 image; 3 failed.");
    expect(calls.some((c) => c.name?.endsWith(".zip"))).toBe(false);
  });

  it("checks each entry's stated size against the limit before extracting it", async () => {
    const calls: Call[] = [];
    const engine = new UploadEngine({ maxBytes: 10, onUploaded: () => {} }, fakeTransport(calls));
    const zip = await zipOf({ "big.png": "x".repeat(11), "empty.png": "", "ok.png": "fine" });
    engine.add([asFile(zip, "mixed.zip")]);
    await settle(engine);
    const byName = Object.fromEntries(engine.getSnapshot().rows.map((row) => [row.name, row]));
    expect(byName["big.png"]).toMatchObject({ status: "error", error: expect.stringMatching(/^Too large/) });
    expect(byName["empty.png"]).toMatchObject({ status: "error", error: "This file is empty." });
    expect(byName["ok.png"]).toMatchObject({ status: "done" });
    expect(calls.filter((c) => c.op === "begin").map((c) => c.name)).toEqual(["ok.png"]);
  });

  it("an entry whose data is damaged fails on its own; the others still go up", async () => {
    const calls: Call[] = [];
    const engine = new UploadEngine({ maxBytes: 1024 * 1024, onUploaded: () => {} }, fakeTransport(calls));
    const zip = await zipOf({ "bad.png": "b".repeat(500), "good.png": "g".repeat(500) });
    // Overwrite bad.png's deflate stream with 0xFF (an invalid block type); the directory stays intact.
    const header = findSignature(zip, [0x50, 0x4b, 0x03, 0x04]);
    const view = new DataView(zip.buffer, zip.byteOffset);
    const compressedSize = view.getUint32(header + 18, true);
    const dataStart = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
    zip.fill(0xff, dataStart, dataStart + compressedSize);
    engine.add([asFile(zip, "damaged.zip")]);
    await settle(engine);
    const byName = Object.fromEntries(engine.getSnapshot().rows.map((row) => [row.name, row]));
    expect(byName["bad.png"]).toMatchObject({ status: "error", error: EXTRACT_FAILED_MESSAGE });
    expect(byName["good.png"]).toMatchObject({ status: "done" });
    expect(calls.filter((c) => c.op === "begin").map((c) => c.name)).toEqual(["good.png"]);
  });

  it("cancelling an archive being opened drops it", async () => {
    const calls: Call[] = [];
    const engine = new UploadEngine({ maxBytes: 1024 * 1024, onUploaded: () => {} }, fakeTransport(calls));
    engine.add([asFile(await zipOf({ "a.png": "A" }), "gone.zip")]);
    const [notice] = engine.getSnapshot().notices;
    engine.cancel(notice.id);
    expect(engine.getSnapshot().notices).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.getSnapshot().rows).toEqual([]);
    expect(calls).toEqual([]);
  });
});
