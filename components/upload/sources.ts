// What one upload reads: a picked file, or an image inside a ZIP archive that
// is extracted only when its upload starts, so an archive's images are not all
// held in memory at once.

import { NETWORK_ERROR_MESSAGE } from "@/components/upload/progress";
import { EXTRACT_FAILED_MESSAGE, type ZipImage } from "@/components/upload/zip-import";
import { BEGIN_HEAD_BYTES } from "@/lib/schemas";

export type Source = {
  name: string;
  /** Known up front for files; for archive entries the size the archive states, or null. */
  size: number | null;
  open: () => Promise<Blob>;
  /** Shown when open() fails. */
  openError: string;
};

export const fileSource = (file: File): Source => ({ name: file.name, size: file.size, open: async () => file, openError: NETWORK_ERROR_MESSAGE });

export const zipImageSource = (image: ZipImage): Source => ({
  name: image.name,
  size: image.size,
  open: image.extract,
  openError: EXTRACT_FAILED_MESSAGE,
});

/** The first BEGIN_HEAD_BYTES of a file as base64 (what begin takes to sniff its type). */
export async function readHead(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.slice(0, BEGIN_HEAD_BYTES).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
