"use client";

import { useEffect, useState } from "react";

import { filesFromDrop } from "@/components/upload/dropped-files";

type DragType = "dragstart" | "dragend" | "dragenter" | "dragover" | "dragleave" | "drop";

/**
 * True while files from outside the page are dragged over the window; a drop
 * anywhere hands them (folders walked) to `onFiles`. Drags that start inside
 * the page (a thumbnail, selected text) are ignored.
 */
export function useWindowFileDrop(onFiles: (files: File[]) => void): boolean {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    let internal = false;
    const carriesFiles = (event: DragEvent) =>
      !internal && event.dataTransfer !== null && Array.from(event.dataTransfer.types).includes("Files");
    const reset = () => {
      depth = 0;
      setDragging(false);
    };

    const onDragStart = () => {
      internal = true;
    };
    const onDragEnd = () => {
      internal = false;
      reset();
    };
    const onDragEnter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
      setDragging(true);
    };
    const onDragOver = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault(); // allows the drop (and stops the browser opening the file)
      event.dataTransfer!.dropEffect = "copy";
    };
    const onDragLeave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      const external = carriesFiles(event);
      internal = false;
      reset();
      if (!external) return;
      event.preventDefault();
      void filesFromDrop(event.dataTransfer!).then((files) => {
        if (files.length > 0) onFiles(files);
      });
    };

    const listeners: [DragType, (event: DragEvent) => void][] = [
      ["dragstart", onDragStart],
      ["dragend", onDragEnd],
      ["dragenter", onDragEnter],
      ["dragover", onDragOver],
      ["dragleave", onDragLeave],
      ["drop", onDrop],
    ];
    for (const [type, listener] of listeners) window.addEventListener(type, listener);
    return () => {
      for (const [type, listener] of listeners) window.removeEventListener(type, listener);
    };
  }, [onFiles]);

  return dragging;
}
