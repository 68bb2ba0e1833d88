"use client";

import { useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { type EngineOptions, UploadEngine, type UploadRow, type UploadsSnapshot, type ZipNotice } from "@/components/upload/engine";
import { type EntryLike, type QueueSummary, collectFiles, isHiddenName, isKnownNonImage, summarize } from "@/components/upload/queue";
import { xhrTransport } from "@/components/upload/xhr-transport";

export type { UploadRow, ZipNotice } from "@/components/upload/engine";

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

/**
 * The files of a drop, folders walked recursively. Reads the DataTransfer
 * synchronously (it is emptied once the drop handler returns), then walks.
 * Hidden files are skipped, and inside folders so are files of a known
 * non-image type (sidecar .json, .txt, …).
 */
export function filesFromDrop(dataTransfer: DataTransfer): Promise<File[]> {
  const loose: File[] = [];
  const folders: EntryLike<File>[] = [];
  const items = Array.from(dataTransfer.items ?? []);
  for (const item of items) {
    if (item.kind !== "file") continue;
    const entry = typeof item.webkitGetAsEntry === "function" ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) {
      folders.push(entry as unknown as EntryLike<File>);
      continue;
    }
    const file = item.getAsFile();
    if (file) loose.push(file);
  }
  if (items.length === 0) loose.push(...Array.from(dataTransfer.files));
  const visible = loose.filter((file) => !isHiddenName(file.name));
  if (folders.length === 0) return Promise.resolve(visible);
  return collectFiles(folders, (file) => !isKnownNonImage(file.type)).then((found) => [...visible, ...found]);
}
