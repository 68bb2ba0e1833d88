import { describe, expect, it } from "vitest";

import { type EntryLike, collectFiles, isHiddenName, isKnownNonImage } from "@/components/upload/dropped-files";

describe("collectFiles", () => {
  type FakeFile = { name: string; type: string };

  const file = (name: string, type = "image/jpeg"): EntryLike<FakeFile> => ({
    name,
    isFile: true,
    isDirectory: false,
    file: (ok) => ok({ name, type }),
  });

  /** A folder whose reader answers in batches of `batchSize`, like Chromium's 100. */
  const dir = (name: string, children: EntryLike<FakeFile>[], batchSize = 2): EntryLike<FakeFile> => ({
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          const batch = children.slice(at, at + batchSize);
          at += batch.length;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  });

  it("walks folders recursively, reading every batch, and skips hidden files", async () => {
    const tree = [
      file("top.jpg"),
      dir("holiday", [
        file("a.jpg"),
        file(".DS_Store", ""),
        file("b.png", "image/png"),
        dir(".thumbnails", [file("t.jpg")]),
        dir("day 2", [file("c.heic", ""), file("d.webp", "image/webp"), file("Thumbs.db", "")]),
        file("e.gif", "image/gif"),
      ]),
    ];
    const files = await collectFiles(tree);
    expect(files.map((f) => f.name)).toEqual(["top.jpg", "a.jpg", "b.png", "c.heic", "d.webp", "e.gif"]);
  });

  it("applies the keep filter and survives unreadable entries", async () => {
    const broken: EntryLike<FakeFile> = { name: "gone.jpg", isFile: true, isDirectory: false, file: (_ok, fail) => fail?.(new Error("NotFound")) };
    const badDir: EntryLike<FakeFile> = {
      name: "locked",
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_ok, fail) => fail?.(new Error("SecurityError")) }),
    };
    const files = await collectFiles([broken, badDir, dir("d", [file("notes.txt", "text/plain"), file("x.jpg")])], (f) => !isKnownNonImage(f.type));
    expect(files.map((f) => f.name)).toEqual(["x.jpg"]);
  });

  it("recognises hidden names and non-image types", () => {
    expect(isHiddenName(".DS_Store")).toBe(true);
    expect(isHiddenName("._IMG_0001.JPG")).toBe(true);
    expect(isHiddenName("desktop.ini")).toBe(true);
    expect(isHiddenName("IMG_0001.JPG")).toBe(false);
    expect(isKnownNonImage("")).toBe(false);
    expect(isKnownNonImage("image/heic")).toBe(false);
    expect(isKnownNonImage("application/json")).toBe(true);
  });
});
