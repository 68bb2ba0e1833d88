// Files dropped on the page: folders are walked, and hidden files and OS
// litter are left out. collectFiles works on a loose EntryLike so it runs in
// Node under Vitest; filesFromDrop is the browser's way in.

const JUNK_NAMES = new Set(["thumbs.db", "desktop.ini", "__macosx"]);

/** Dotfiles (.DS_Store, ._photo.jpg, .git) and OS litter are never uploaded. */
export function isHiddenName(name: string): boolean {
  return name.startsWith(".") || JUNK_NAMES.has(name.toLowerCase());
}

/** A file inside a dropped folder whose browser-reported type is known and not an image. */
export function isKnownNonImage(type: string): boolean {
  return type !== "" && !type.startsWith("image/");
}

/**
 * The parts of FileSystemEntry the walker uses, typed loosely so tests can
 * pass plain objects; the browser's FileSystemFileEntry and
 * FileSystemDirectoryEntry fit.
 */
export type EntryLike<F> = {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?: (success: (file: F) => void, failure?: (err: unknown) => void) => void;
  createReader?: () => {
    readEntries: (success: (entries: EntryLike<F>[]) => void, failure?: (err: unknown) => void) => void;
  };
};

function readFile<F>(entry: EntryLike<F>): Promise<F> {
  return new Promise((resolve, reject) => entry.file!(resolve, reject));
}

/** Every file below the given entries, depth first. Unreadable files and folders are skipped. */
export async function collectFiles<F>(
  entries: readonly EntryLike<F>[],
  keep: (file: F, name: string) => boolean = () => true,
): Promise<F[]> {
  const out: F[] = [];
  const visit = async (entry: EntryLike<F>): Promise<void> => {
    if (isHiddenName(entry.name)) return;
    if (entry.isFile && entry.file) {
      try {
        const file = await readFile(entry);
        if (keep(file, entry.name)) out.push(file);
      } catch {
        // a file that vanished or cannot be read is left out
      }
    } else if (entry.isDirectory && entry.createReader) {
      const reader = entry.createReader();
      // readEntries answers in batches (100 in Chromium) until it answers with none.
      for (;;) {
        let batch: EntryLike<F>[];
        try {
          batch = await new Promise<EntryLike<F>[]>((resolve, reject) => reader.readEntries(resolve, reject));
        } catch {
          break;
        }
        if (batch.length === 0) break;
        for (const child of batch) await visit(child);
      }
    }
  };
  for (const entry of entries) await visit(entry);
  return out;
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
