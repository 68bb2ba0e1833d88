import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { PhotoPage } from "@/components/viewer/photo-page";
import { isAppError } from "@/lib/errors";
import { getImageOverview } from "@/lib/image-traits";
import { getImageNeighbours } from "@/lib/image-listing";
import { requirePageUser } from "@/lib/session";

export const metadata: Metadata = { title: "Photo" };

/** A photo's own page: a reload of the viewer, or a shared link. Another user's id is a 404, like a missing one. */
export default async function PhotoRoute({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  let details, neighbours;
  try {
    [details, neighbours] = await Promise.all([getImageOverview({ ownerId: user.id, imageId: id }), getImageNeighbours({ ownerId: user.id, imageId: id })]);
  } catch (err) {
    if (isAppError(err) && err.code === "not_found") notFound();
    throw err;
  }
  return <PhotoPage details={details} neighbours={neighbours} />;
}
