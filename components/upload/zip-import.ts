// Opening a picked or dropped .zip in the browser and listing the images in
// it. The archive never goes to the server: each image inside becomes its own
// File and travels the normal upload protocol. Framework-free (no React, no
// DOM beyond Blob and File), so it runs in Node under Vitest.
//
// Memory: JSZip reads the whole (compressed) archive into memory to open it,
// hence MAX_ZIP_BYTES. Images are not decompressed when the archive is opened;
// each entry's extract() inflates that one image when its upload starts, so
// besides the archive only the images being uploaded (CONCURRENCY at most)
// are held expanded.

import type JSZip from "jszip";

import { formatBytes, plural } from "@/components/format";
import { isHiddenName } from "@/components/upload/dropped-files";

/** Archives larger than this are refused: the browser would have to hold all of it in memory. */
export const MAX_ZIP_BYTES = 2 * 1024 ** 3;

export const ZIP_IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  "jpg",
  "jpeg",
  "png",
  "gif",
  "webp",
  "avif",
  "tif",
  "tiff",
  "heic",
  "heif",
]);

const ZIP_TYPES: ReadonlySet<string> = new Set([
  "application/zip",
  "application/x-zip",
  "application/x-zip-compressed",
  "multipart/x-zip",
]);

/** Local file header signature, "PK\x03\x04": the first four bytes of every ZIP archive with entries. */
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04] as const;

// ---------------------------------------------------------------- names

/** The last path segment: "trip/day 1/IMG_1.JPG" → "IMG_1.JPG". Folders ("trip/") give "". */
export function entryBaseName(path: string): string {
  const segments = path.split(/[/\\]/);
  return segments[segments.length - 1] ?? "";
}

/**
 * An entry worth uploading: not a folder, not inside __MACOSX/ or a hidden
 * folder, not a dot-file or OS litter, and named like an image (by extension,
 * case-insensitive).
 */
export function isImageEntryName(path: string): boolean {
  const segments = path.split(/[/\\]/).filter((segment) => segment !== "");
  if (segments.length === 0 || /[/\\]$/.test(path)) return false;
  if (segments.some(isHiddenName)) return false;
  const base = segments[segments.length - 1];
  const dot = base.lastIndexOf(".");
  return dot > 0 && ZIP_IMAGE_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}

// ---------------------------------------------------------------- recognising archives

/** Named or typed as a ZIP archive. */
export function isZipByName(file: { name: string; type: string }): boolean {
  return file.name.toLowerCase().endsWith(".zip") || ZIP_TYPES.has(file.type.toLowerCase());
}

export function hasZipSignature(bytes: ArrayLike<number>): boolean {
  return bytes.length >= ZIP_SIGNATURE.length && ZIP_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** Reads the first four bytes; a file that cannot be read is not a ZIP (its upload will say what is wrong). */
export async function startsLikeZip(file: Blob): Promise<boolean> {
  try {
    return hasZipSignature(new Uint8Array(await file.slice(0, ZIP_SIGNATURE.length).arrayBuffer()));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- words

export const zipUnreadableMessage = (name: string) => `${name} could not be opened as a ZIP archive.`;

export const zipTooLargeMessage = (size: number) =>
  `This ZIP archive is too large to open in the browser (${formatBytes(size)}; the limit is ${formatBytes(MAX_ZIP_BYTES)}).`;

export const NO_IMAGES_MESSAGE = "No images found in this ZIP archive.";

export const EXTRACT_FAILED_MESSAGE = "This image could not be extracted from the ZIP archive.";

/** "holiday.zip: 12 images found" (+ "; 3 other files skipped"). */
export function zipFoundText(name: string, images: number, skipped: number): string {
  return `${name}: ${plural(images, "image")} found${skipped > 0 ? `; ${plural(skipped, "other file")} skipped` : ""}`;
}

// ---------------------------------------------------------------- reading

export type ZipImage = {
  /** The entry's base name, used as the upload's name. */
  name: string;
  /** The full path inside the archive. */
  path: string;
  /** The uncompressed size from the archive's directory, when JSZip exposes it. */
  size: number | null;
  /** Inflates this one entry; call it right before uploading. */
  extract: () => Promise<File>;
};

export type ZipListing = {
  images: ZipImage[];
  /** Files that are not images (notes.txt, …); folders and OS litter are not counted. */
  skipped: number;
};

/** JSZip keeps the directory's sizes on a private field (see its index.d.ts); read it defensively. */
function uncompressedSize(entry: JSZip.JSZipObject): number | null {
  const size = (entry as unknown as { _data?: { uncompressedSize?: unknown } })._data?.uncompressedSize;
  return typeof size === "number" && Number.isFinite(size) && size >= 0 ? size : null;
}

/**
 * Opens an archive and lists its images in archive order without
 * decompressing any of them. Rejects when the data is not a readable ZIP
 * (corrupt, truncated, encrypted, multi-volume).
 */
export async function listZipImages(zip: Blob): Promise<ZipListing> {
  // Loaded on demand: most visits never open an archive.
  const { default: JSZipImpl } = await import("jszip");
  const archive = await JSZipImpl.loadAsync(zip);
  const images: ZipImage[] = [];
  let skipped = 0;
  archive.forEach((path, entry) => {
    if (entry.dir) return;
    if (!isImageEntryName(path)) {
      const segments = path.split(/[/\\]/).filter(Boolean);
      if (segments.length > 0 && !segments.some(isHiddenName)) skipped++;
      return;
    }
    const name = entryBaseName(path);
    images.push({
      name,
      path,
      size: uncompressedSize(entry),
      extract: async () => new File([await entry.async("blob")], name),
    });
  });
  return { images, skipped };
}
