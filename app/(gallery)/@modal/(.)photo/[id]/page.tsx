import { PhotoModal } from "@/components/viewer/photo-modal";

/**
 * /photo/[id] opened from the timeline: the viewer as an overlay over the
 * page, with the timeline's list for Previous/Next. Back closes it.
 */
export default async function InterceptedPhoto({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PhotoModal id={id} />;
}
