import "server-only";

import { createHash, randomBytes } from "node:crypto";

import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { describeOriginals, openImageVariant } from "@/lib/images";
import { type Selection, resolveSelection } from "@/lib/image-selection";
import { createZipStream, zipContentLength } from "@/lib/zip";
import { sanitizeZipNames } from "@/lib/zip-names";

/**
 * Zip downloads: a server action validates the selection and mints a
 * short-lived token; the browser then navigates to the zip route, which
 * streams the archive as a native download (DESIGN.md §5).
 */

type TokenDoc = { _id: string; ownerId: string; imageIds: string[]; expiresAt: Date; createdAt: Date };

const TOKEN_TTL_MS = 10 * 60_000;

// Only a hash is stored: a database dump does not hand out working links.
const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

export async function createDownloadToken({ ownerId, selection }: { ownerId: string; selection: Selection }): Promise<{ token: string; count: number }> {
  const imageIds = await resolveSelection({ ownerId, selection });
  if (imageIds.length === 0) throw new AppError("not_found", "None of the selected images exist any more.");
  const token = randomBytes(24).toString("base64url");
  const now = new Date();
  await (await getDb()).collection<TokenDoc>("download_tokens").insertOne({
    _id: hashToken(token),
    ownerId,
    imageIds,
    createdAt: now,
    expiresAt: new Date(now.getTime() + TOKEN_TTL_MS),
  });
  return { token, count: imageIds.length };
}

export type ZipDownload = { filename: string; contentLength: number; body: AsyncGenerator<Buffer> };

/**
 * Opens the zip for a token. The token must belong to the signed-in owner,
 * and ids are filtered by owner again, so nothing foreign can ever be zipped.
 */
export async function openZipDownload({ ownerId, token }: { ownerId: string; token: string }): Promise<ZipDownload> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) throw new AppError("not_found");
  const doc = await (await getDb())
    .collection<TokenDoc>("download_tokens")
    .findOne({ _id: hashToken(token), ownerId, expiresAt: { $gt: new Date() } });
  if (!doc) throw new AppError("not_found", "This download link has expired. Please start the download again.");
  // Images deleted since the token was made drop out here.
  const ids = await resolveSelection({ ownerId, selection: { ids: doc.imageIds } });
  const originals = await describeOriginals({ ownerId, imageIds: ids });
  const names = sanitizeZipNames({ names: originals.map((o) => o.name) });
  // Each original is opened only when its turn comes, so memory stays flat; one deleted
  // meanwhile fails the open, which aborts the archive instead of silently leaving it out.
  const entries = originals.map((o, i) => ({
    name: names[i],
    size: o.size,
    mtime: o.createdAt,
    open: async function* () {
      const opened = await openImageVariant({ ownerId, imageId: o.imageId, variant: "original" });
      yield* opened.read();
    },
  }));
  const stamp = new Date().toISOString().slice(0, 10);
  return {
    filename: `images-${stamp}.zip`,
    contentLength: zipContentLength({ entries }),
    body: createZipStream({ entries }),
  };
}

export async function sweepExpiredTokens(): Promise<void> {
  await (await getDb()).collection<TokenDoc>("download_tokens").deleteMany({ expiresAt: { $lte: new Date() } });
}
