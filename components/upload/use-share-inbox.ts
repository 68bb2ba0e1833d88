"use client";

import { useEffect } from "react";
import { toast } from "sonner";

import { plural } from "@/components/format";
import { takeSharedFiles } from "@/components/upload/share-inbox";

/**
 * Files shared to the app (Web Share Target) wait on the device until the
 * timeline takes them: on mount they join the upload queue. A `?shared=`
 * left by the service worker is removed from the address, and its failure
 * said.
 */
export function useShareInbox(addFiles: (files: readonly File[]) => void) {
  useEffect(() => {
    let cancelled = false;
    const url = new URL(window.location.href);
    const shared = url.searchParams.get("shared");
    if (shared !== null) {
      url.searchParams.delete("shared");
      window.history.replaceState(window.history.state, "", url.pathname + url.search);
      if (shared === "unavailable" || shared === "failed") {
        toast.error("The shared photos could not be received. Open Image Vault once, then share them again.");
      }
    }
    void takeSharedFiles().then((files) => {
      if (cancelled || files.length === 0) return;
      addFiles(files);
      toast(`Uploading ${plural(files.length, "shared photo")}.`);
    });
    return () => {
      cancelled = true;
    };
  }, [addFiles]);
}
