"use server";

import { authedAction } from "@/lib/action";
import type { BeginUploadResult, GalleryItem } from "@/lib/gallery-types";
import { beginUploadSchema, uploadIdSchema } from "@/lib/schemas";
import { abortUpload, beginUpload, completeUpload } from "@/lib/uploads";

// Upload parts go to PUT /api/uploads/[uploadId]/parts/[index] instead of an action:
// the client runs server actions one at a time and reports no upload progress, and
// parts need both parallelism and progress.

export const beginUploadAction = authedAction({
  schema: beginUploadSchema,
  run: ({ input, user }): Promise<BeginUploadResult> => beginUpload({ ownerId: user.id, name: input.name, size: input.size }),
});

export const completeUploadAction = authedAction({
  schema: uploadIdSchema,
  run: ({ input, user }): Promise<GalleryItem> => completeUpload({ ownerId: user.id, uploadId: input.uploadId }),
});

export const abortUploadAction = authedAction({
  schema: uploadIdSchema,
  run: ({ input, user }) => abortUpload({ ownerId: user.id, uploadId: input.uploadId }),
});
