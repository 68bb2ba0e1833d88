"use client";

import { useRouter } from "next/navigation";

import { Viewer } from "@/components/viewer/viewer";
import type { ImageDetails } from "@/lib/gallery-types";

/** A photo's own page (a reload of the viewer, or a shared link): the viewer as the page; Close goes to the timeline. */
export function PhotoPage({ details }: { details: ImageDetails }) {
  const router = useRouter();
  return (
    <Viewer
      mode="page"
      item={details}
      initialDetails={details}
      counter={null}
      previousId={null}
      nextId={null}
      onPrevious={null}
      onNext={null}
      onClose={() => router.push("/")}
    />
  );
}
