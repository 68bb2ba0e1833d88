"use server";

import { authedAction } from "@/lib/action";
import { addToAlbum, createAlbum, deleteAlbum, removeFromAlbum, renameAlbum } from "@/lib/albums";
import { albumIdSchema, albumSelectionSchema, createAlbumSchema, renameAlbumSchema } from "@/lib/schemas";

export const createAlbumAction = authedAction({
  schema: createAlbumSchema,
  revalidate: ["/albums"],
  run: ({ input, user }) => createAlbum({ ownerId: user.id, title: input.title, description: input.description, selection: input.selection }),
});

export const addToAlbumAction = authedAction({
  schema: albumSelectionSchema,
  revalidate: ["/albums"],
  run: ({ input, user }) => addToAlbum({ ownerId: user.id, albumId: input.albumId, selection: input.selection }),
});

/** Takes images out of the album; they stay in the library. */
export const removeFromAlbumAction = authedAction({
  schema: albumSelectionSchema,
  revalidate: ["/albums"],
  run: ({ input, user }) => removeFromAlbum({ ownerId: user.id, albumId: input.albumId, selection: input.selection }),
});

export const renameAlbumAction = authedAction({
  schema: renameAlbumSchema,
  revalidate: ["/albums"],
  run: ({ input, user }) => renameAlbum({ ownerId: user.id, albumId: input.albumId, title: input.title, description: input.description }),
});

export const deleteAlbumAction = authedAction({
  schema: albumIdSchema,
  revalidate: ["/albums"],
  redirectTo: "/albums",
  run: ({ input, user }) => deleteAlbum({ ownerId: user.id, albumId: input.albumId }),
});
