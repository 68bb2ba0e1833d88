"use client";

import { useRef } from "react";

import { formatBytes } from "@/components/format";
import { UploadIcon } from "@/components/icons";
import { UploadPanel } from "@/components/upload/upload-panel";
import type { Uploads } from "@/components/upload/use-uploads";
import { useWindowFileDrop } from "@/components/upload/use-window-file-drop";

/**
 * The upload button, the page-wide drop target and the upload queue. Files go
 * up three at a time in 4 MiB parts; each row shows its progress and, when it
 * fails, why. A ZIP archive is opened in the browser and each image in it
 * becomes its own row; the archive gets a notice line, not a row. The queue
 * itself (useUploads) belongs to the page, so shared files can join it too.
 */
export function Uploader({ uploads, maxBytes }: { uploads: Uploads; maxBytes: number }) {
  const { addFiles } = uploads;
  const dragging = useWindowFileDrop(addFiles);
  const inputRef = useRef<HTMLInputElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  return (
    <>
      <input
        ref={inputRef}
        type="file"
        multiple
        tabIndex={-1}
        aria-label="Upload images"
        accept="image/*,.zip,application/zip,application/x-zip-compressed"
        className="sr-only"
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = ""; // choosing the same file again fires change again
          addFiles(files);
        }}
      />
      {/* A real button: Enter and Space both open the file chooser. */}
      <button
        ref={buttonRef}
        type="button"
        onClick={() => inputRef.current?.click()}
        className="inline-flex shrink-0 items-center gap-2 rounded-md bg-sky-700 px-3 py-2 font-medium text-white shadow-sm select-none hover:bg-sky-800 active:bg-sky-900 sm:px-4"
      >
        <UploadIcon />
        Upload images
      </button>

      {dragging ? (
        <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-sky-950/40 p-6 backdrop-blur-sm">
          <div className="flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-sky-400 bg-white/95 px-12 py-10 text-center shadow-2xl dark:bg-zinc-900/95">
            <UploadIcon className="size-10 text-sky-600 dark:text-sky-400" />
            <p className="text-xl font-semibold">Drop images to upload</p>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Folders and ZIP archives work too · up to {formatBytes(maxBytes)} each</p>
          </div>
        </div>
      ) : null}

      <UploadPanel uploads={uploads} onEmpty={() => buttonRef.current?.focus()} />
    </>
  );
}
