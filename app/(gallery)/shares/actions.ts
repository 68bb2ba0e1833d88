"use server";

import { authedAction } from "@/lib/action";
import { createShareSchema, shareIdSchema, updateShareSchema } from "@/lib/schemas";
import { createShare, revokeShare, updateShare } from "@/lib/shares";

export const createShareAction = authedAction({
  schema: createShareSchema,
  revalidate: ["/shares"],
  run: async ({ input, user }): Promise<{ url: string }> => {
    const { token } = await createShare({
      ownerId: user.id,
      scope: "albumId" in input ? { albumId: input.albumId } : { selection: input.selection },
      options: {
        expires: { choice: input.expires, date: input.date },
        password: input.password || null,
        allowDownload: input.allowDownload,
        includeMeta: input.includeMeta,
        hideNames: input.hideNames,
        displayName: input.displayName || null,
        shareAnyway: input.shareAnyway,
      },
    });
    return { url: `/s/${token}` };
  },
});

export const updateShareAction = authedAction({
  schema: updateShareSchema,
  revalidate: ["/shares"],
  successMessage: "Saved.",
  run: ({ input, user }) =>
    updateShare({
      ownerId: user.id,
      shareId: input.shareId,
      expires: input.expires ? { choice: input.expires, date: input.date } : undefined,
      password: input.removePassword ? null : input.password ? input.password : undefined,
    }),
});

/** Ends the link and every URL derived from it at once. */
export const revokeShareAction = authedAction({
  schema: shareIdSchema,
  revalidate: ["/shares"],
  successMessage: "Link revoked.",
  run: ({ input, user }) => revokeShare({ ownerId: user.id, shareId: input.shareId }),
});
