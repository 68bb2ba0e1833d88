import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { AlbumView } from "@/components/albums/album-view";
import { getAlbum, listAlbumImages } from "@/lib/albums";
import { isAppError } from "@/lib/errors";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Album" };

export default async function AlbumPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  let album;
  let initial;
  try {
    album = await getAlbum({ ownerId: user.id, albumId: id });
    initial = await listAlbumImages({ ownerId: user.id, albumId: id });
  } catch (err) {
    if (isAppError(err) && err.code === "not_found") notFound();
    throw err;
  }
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4">
      <p className="mb-1 text-sm">
        <Link href="/albums" className="text-sky-700 underline dark:text-sky-400">
          Albums
        </Link>
      </p>
      <h1 className="mb-1 text-2xl font-semibold">{album.title}</h1>
      {album.description ? <p className="mb-3 text-zinc-600 dark:text-zinc-400">{album.description}</p> : null}
      <AlbumView albumId={album.id} title={album.title} description={album.description} initial={initial} />
    </main>
  );
}
