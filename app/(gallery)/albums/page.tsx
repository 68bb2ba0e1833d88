import type { Metadata } from "next";
import Link from "next/link";

import { NewAlbumForm } from "@/components/albums/new-album-form";
import { plural } from "@/components/format";
import { listAlbums } from "@/lib/albums";
import { imageUrl } from "@/lib/gallery-types";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Albums" };

export default async function AlbumsPage() {
  const user = await requirePageUser();
  const albums = await listAlbums({ ownerId: user.id });
  return (
    <main className="mx-auto max-w-7xl px-4 pt-4 pb-10">
      <div className="mb-4 flex items-baseline gap-4">
        <h1 className="text-2xl font-semibold">Albums</h1>
        <Link href="/shares" className="text-sm text-sky-700 underline sm:hidden dark:text-sky-400">
          Shared links
        </Link>
      </div>
      <NewAlbumForm />
      {albums.length === 0 ? (
        <p className="mt-8 text-zinc-600 dark:text-zinc-400">No albums yet. Select photos on the Photos page and choose “Add to album”, or create one here.</p>
      ) : (
        <ul className="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5" aria-label="Your albums">
          {albums.map((album) => (
            <li key={album.id}>
              <Link href={`/albums/${album.id}`} className="group block rounded-lg focus-visible:outline-2 focus-visible:outline-sky-600">
                <div className="aspect-square overflow-hidden rounded-lg bg-zinc-200 dark:bg-zinc-800">
                  {album.coverId ? (
                    // eslint-disable-next-line @next/next/no-img-element -- private, decrypted per request; next/image would cache it
                    <img src={imageUrl(album.coverId, "thumb")} alt="" className="size-full object-cover transition group-hover:opacity-90" />
                  ) : null}
                </div>
                <p className="mt-2 truncate font-medium">{album.title}</p>
                <p className="text-sm text-zinc-600 dark:text-zinc-400">{plural(album.count, "image")}</p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
