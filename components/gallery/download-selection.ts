// "Download selected", the same on the timeline, search results and an album.

import { createZipDownloadAction } from "@/app/(gallery)/actions";
import { plural } from "@/components/format";
import { errorMessage, runAction } from "@/components/run-action";
import { imageUrl } from "@/lib/gallery-types";
import type { SelectionWire } from "@/lib/selection-wire";

/**
 * One image downloads as its original; more as a zip the server prepares.
 * Both are plain navigations, so the browser streams the file to disk as a
 * native download. `say` gets each sentence for the page's live region.
 */
export async function startDownload({
  single,
  count,
  wire,
  say,
  setBusy,
}: {
  /** The id when exactly one image is chosen, else null. */
  single: string | null;
  count: number;
  wire: SelectionWire;
  say: (text: string) => void;
  /** Set while the server prepares the zip, unless the caller covers a longer wait itself. */
  setBusy?: (busy: boolean) => void;
}): Promise<void> {
  if (single !== null) {
    window.location.assign(imageUrl(single, "original", { download: true }));
    say("Your download has started.");
    return;
  }
  setBusy?.(true);
  say(`Preparing a zip of ${plural(count, "image")}…`);
  const result = await runAction(createZipDownloadAction, { selection: wire });
  setBusy?.(false);
  if (result.status === "success" && result.data) {
    window.location.assign(result.data.url);
    say(`Your zip of ${plural(result.data.count, "image")} is downloading.`);
  } else {
    say(errorMessage(result));
  }
}
