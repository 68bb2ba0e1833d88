// exiftool (Debian libimage-exiftool-perl) as an independent reader of image metadata in tests.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** exiftool (Debian libimage-exiftool-perl) as the independent reader: every tag it finds, by group:name. */
export function exiftoolTags(bytes: Buffer): Record<string, unknown> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "exif-")), "image");
  fs.writeFileSync(file, bytes);
  try {
    const out = execFileSync("exiftool", ["-j", "-G", "-a", "-ee", file]).toString();
    return (JSON.parse(out) as Record<string, unknown>[])[0];
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true });
  }
}

/** Tag names that would tell where or with what a photo was taken. */
export function revealing(tags: Record<string, unknown>): string[] {
  return Object.keys(tags).filter((k) => /GPS|:Make$|:Model$|DateTimeOriginal|Comment|XMP|IPTC|Software/i.test(k) && !/^ExifTool:/.test(k));
}
