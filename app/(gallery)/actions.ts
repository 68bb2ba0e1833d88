"use server";

import { after } from "next/server";

import { drainAfterUpload } from "@/lib/analysis-queue";
import { setSkipDuplicates } from "@/lib/duplicates";
import { authedAction } from "@/lib/action";
import { createDownloadToken } from "@/lib/downloads";
import { limits } from "@/lib/config";
import type { BeginUploadResult, GalleryItem } from "@/lib/gallery-types";
import { deleteTrashedForever, restoreImages, trashImages } from "@/lib/image-selection";
import { skipDuplicatesSchema } from "@/lib/schemas";
import { beginUploadSchema, emptySchema, selectionInputSchema, trashStepSchema, undoTrashSchema, uploadIdSchema } from "@/lib/schemas";
import { completeUpload } from "@/lib/upload-completion";
import { abortUpload, beginUpload } from "@/lib/uploads";

// Upload parts go to PUT /api/uploads/[uploadId]/parts/[index] instead of an action:
// the client runs server actions one at a time and reports no upload progress, and
// parts need both parallelism and progress.

export const beginUploadAction = authedAction({
  schema: beginUploadSchema,
  run: ({ input, user }): Promise<BeginUploadResult> =>
    beginUpload({
      ownerId: user.id,
      name: input.name,
      size: input.size,
      head: input.head === undefined ? undefined : Buffer.from(input.head, "base64"),
    }),
});

export const completeUploadAction = authedAction({
  schema: uploadIdSchema,
  run: async ({ input, user }): Promise<GalleryItem> => {
    const item = await completeUpload({ ownerId: user.id, uploadId: input.uploadId });
    // Where no server loop runs (Vercel), the new image is analysed once the answer has gone out.
    after(drainAfterUpload);
    return item;
  },
});

export const abortUploadAction = authedAction({
  schema: uploadIdSchema,
  run: ({ input, user }) => abortUpload({ ownerId: user.id, uploadId: input.uploadId }),
});

// Bulk operations answer one step of at most BULK_STEP images each (lib/config); the client calls
// again while `more` is set and shows progress in between (components/gallery/run-in-steps.ts).

export const trashImagesAction = authedAction({
  schema: trashStepSchema,
  // Nothing to revalidate: the gallery drops the items and corrects its count itself, and
  // any revalidation re-renders the current page, whose fresh count would be subtracted
  // from twice. /trash is dynamic and renders afresh when visited.
  run: ({ input, user }) => trashImages({ ownerId: user.id, selection: input.selection, batch: input.batch, limit: limits.bulkStep }),
});

/** Undo of a trash step: exactly the images it moved, also those of a "Select all" never loaded here. */
export const undoTrashAction = authedAction({
  schema: undoTrashSchema,
  revalidate: ["/", "/trash"],
  run: ({ input, user }) => restoreImages({ ownerId: user.id, selection: { batch: input.batch }, limit: limits.bulkStep }),
});

export const restoreImagesAction = authedAction({
  schema: selectionInputSchema,
  revalidate: ["/", "/trash"],
  run: ({ input, user }) => restoreImages({ ownerId: user.id, selection: input.selection, limit: limits.bulkStep }),
});

export const deleteForeverAction = authedAction({
  schema: selectionInputSchema,
  revalidate: ["/trash"],
  run: ({ input, user }) => deleteTrashedForever({ ownerId: user.id, selection: input.selection, limit: limits.bulkStep }),
});

export const emptyTrashAction = authedAction({
  schema: emptySchema,
  revalidate: ["/trash"],
  run: ({ user }) => deleteTrashedForever({ ownerId: user.id, selection: { all: true }, limit: limits.bulkStep }),
});

/** Mints a short-lived link; the browser then navigates to it and the zip streams as a native download. */
export const createZipDownloadAction = authedAction({
  schema: selectionInputSchema,
  run: async ({ input, user }): Promise<{ url: string; count: number }> => {
    const { token, count } = await createDownloadToken({ ownerId: user.id, selection: input.selection });
    return { url: `/api/downloads/${token}`, count };
  },
});

/** "Skip duplicates", remembered per user: an upload identical to an image already in the library is not stored again. */
export const setSkipDuplicatesAction = authedAction({
  schema: skipDuplicatesSchema,
  revalidate: ["/duplicates"],
  successMessage: "Saved.",
  run: ({ input, user }) => setSkipDuplicates({ ownerId: user.id, skip: input.skip }),
});
