"use client";

import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { type EngineOptions, UploadEngine } from "@/components/upload/engine";
import { type QueueSummary, summarize } from "@/components/upload/progress";
import type { UploadRow, UploadsSnapshot, ZipNotice } from "@/components/upload/upload-store";
import { xhrTransport } from "@/components/upload/xhr-transport";

export type { UploadRow, ZipNotice } from "@/components/upload/upload-store";

const SERVER_SNAPSHOT: UploadsSnapshot = { rows: [], notices: [], announcement: "" };
const getServerSnapshot = () => SERVER_SNAPSHOT;

export type Uploads = {
  rows: readonly UploadRow[];
  /** Lines about ZIP archives being opened or opened. */
  notices: readonly ZipNotice[];
  /** The batch sentence for the live region, e.g. "Uploaded 9 images; 1 failed." */
  announcement: string;
  summary: QueueSummary;
  /** Something is queued, uploading or processing. */
  busy: boolean;
  addFiles: (files: readonly File[]) => void;
  cancel: (id: string) => void;
  clearFinished: () => void;
};

export function useUploads({ maxBytes, onUploaded }: EngineOptions): Uploads {
  const [engine] = useState(() => new UploadEngine({ maxBytes, onUploaded }, xhrTransport));
  useEffect(() => engine.configure({ maxBytes, onUploaded }), [engine, maxBytes, onUploaded]);
  useEffect(() => engine.abortAll, [engine]);

  const { rows, notices, announcement } = useSyncExternalStore(engine.subscribe, engine.getSnapshot, getServerSnapshot);
  const summary = useMemo(() => summarize(rows), [rows]);
  const busy = summary.active > 0 || notices.some((notice) => notice.state === "opening");

  useEffect(() => {
    if (!busy) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "Uploads are still in progress.";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [busy]);

  return { rows, notices, announcement, summary, busy, addFiles: engine.add, cancel: engine.cancel, clearFinished: engine.clearFinished };
}
