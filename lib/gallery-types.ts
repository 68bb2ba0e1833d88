// Shapes that cross from server to browser (JSON). No secrets, no "server-only":
// client components import these types.

export type Variant = "thumb" | "preview" | "original";

/** One image as the gallery shows it; `name` is the decrypted original filename. */
export type GalleryItem = {
  id: string;
  name: string;
  size: number;
  mime: string;
  width: number;
  height: number;
  /** Upload time. */
  createdAt: string;
  /** EXIF date taken as wall-clock time (no zone unless the camera wrote one), or null. */
  takenAt: string | null;
  /** When it went to the trash, or null. */
  trashedAt: string | null;
  /** Characteristics not there yet: queued, or failed and waiting for a retry. Absent once analysed. */
  analysis?: "pending" | "failed";
  /** Only in an upload's answer: the same file was already in the library (this image, or the one kept instead). */
  duplicateOf?: string;
  /** Only in an upload's answer: "Skip duplicates" was on, so nothing new was stored; this is the existing image. */
  skipped?: true;
};

/** `total` counts every image of the listing (timeline or trash), not just this page. */
export type GalleryPage = { items: GalleryItem[]; nextCursor: string | null; total: number };

/** What analysis found in an image (lib/characteristics.ts), as the viewer shows it. */
export type ImageCharacteristics = {
  labels: { label: string; score: number }[];
  faces: number;
  colours: string[];
  orientation: "portrait" | "landscape" | "square" | "panorama";
  megapixels: number;
  animated: boolean;
  transparent: boolean;
  sharpness: number;
  blurry: boolean;
  brightness: number;
  dark: boolean;
  screenshot: boolean;
  /** Explicit or suggestive content; null when analysed before this was checked. */
  sensitive: boolean | null;
};

export type ImageDetails = GalleryItem & {
  /** Null while the image waits for analysis. */
  characteristics?: ImageCharacteristics | null;
  takenAt: string | null;
  camera: string | null;
  lens: string | null;
  exposure: { exposureTime?: number; fNumber?: number; iso?: number; focalLength?: number } | null;
  palette: string[];
  hasLocation: boolean;
};

/**
 * One step of a bulk operation (trash, restore, delete forever). `more`: call
 * again with the same selection to go on. `batch` names what a trash step
 * moved, for Undo; passed back to the next step, all of "Select all" is one batch.
 */
export type Neighbours = { previous: GalleryItem | null; next: GalleryItem | null };

export type BulkStep = { done: number; more: boolean; batch?: string };

export type BeginUploadResult = { uploadId: string; partSize: number; partCount: number };

/** Error body of the JSON routes: a code from lib/errors and a message written for people. */
export type ApiError = { code: string; message: string };

export const imageUrl = (id: string, variant: Variant, opts: { download?: boolean } = {}) =>
  `/api/images/${encodeURIComponent(id)}/${variant}${opts.download ? "?download=1" : ""}`;
