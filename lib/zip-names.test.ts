import { describe, expect, it } from "vitest";

import { MAX_ZIP_NAME_BYTES, sanitizeZipNames } from "@/lib/zip-names";

function one(name: string): string {
  return sanitizeZipNames({ names: [name] })[0];
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("sanitizeZipNames", () => {
  it("keeps ordinary names unchanged", () => {
    expect(sanitizeZipNames({ names: ["a.jpg", "Holiday 2024.png", "x"] })).toEqual(["a.jpg", "Holiday 2024.png", "x"]);
  });

  it("keeps only the base name, whatever the separator", () => {
    expect(one("../../etc/passwd")).toBe("passwd");
    expect(one("..\\..\\win.ini")).toBe("win.ini");
    expect(one("/abs/x.jpg")).toBe("x.jpg");
    expect(one("C:\\Users\\me\\photo.jpg")).toBe("photo.jpg");
    expect(one("dir/sub/")).toBe("sub");
    expect(one("a/b\\c/../d.jpg")).toBe("d.jpg");
  });

  it("never returns an empty, '.' or '..' name", () => {
    for (const name of ["", ".", "..", "...", "   ", "/", "\\", "../..", "a/..", "foo/.", " . ", "\u0000\u001f", ". . ."]) {
      expect(one(name)).toBe("image");
    }
  });

  it("removes C0, DEL and C1 control characters", () => {
    expect(one("a\u0000b\u0007c\td\ne\rf.jpg")).toBe("abcdef.jpg");
    expect(one("x\u007fy\u0080z\u009f.png")).toBe("xyz.png");
    // U+00A0 (no-break space) is just past the C1 range and is kept.
    expect(one("a\u00a0b.jpg")).toBe("a\u00a0b.jpg");
  });

  it("removes bidirectional overrides that disguise extensions", () => {
    expect(one("photo\u202egpj.exe")).toBe("photogpj.exe");
    expect(one("\u2066a\u2069.jpg")).toBe("a.jpg");
  });

  it("replaces characters Windows refuses", () => {
    expect(one('a<b>c:d"e|f?g*h.jpg')).toBe("a_b_c_d_e_f_g_h.jpg");
  });

  it("prefixes Windows device names", () => {
    expect(one("CON")).toBe("_CON");
    expect(one("nul.jpg")).toBe("_nul.jpg");
    expect(one("com1.txt")).toBe("_com1.txt");
    expect(one("console.jpg")).toBe("console.jpg");
  });

  it("trims spaces and trailing dots", () => {
    expect(one("  a.jpg  ")).toBe("a.jpg");
    expect(one("a.jpg...")).toBe("a.jpg");
    expect(one("a. . ")).toBe("a");
    expect(one(".hidden")).toBe(".hidden");
  });

  it("replaces unpaired surrogates instead of emitting invalid UTF-8", () => {
    expect(one("a\ud800b.jpg")).toBe("a\ufffdb.jpg");
    expect(one("a\udc00.jpg")).toBe("a\ufffd.jpg");
    expect(one("\u{1F600}.jpg")).toBe("\u{1F600}.jpg");
  });

  it("normalises to NFC", () => {
    expect(one("Cafe\u0301.jpg")).toBe("Caf\u00e9.jpg");
  });

  it("de-duplicates with (n) before the extension, in input order", () => {
    expect(sanitizeZipNames({ names: ["a.jpg", "a.jpg", "a.jpg", "b.jpg", "a.jpg"] })).toEqual([
      "a.jpg",
      "a (1).jpg",
      "a (2).jpg",
      "b.jpg",
      "a (3).jpg",
    ]);
    expect(sanitizeZipNames({ names: ["x", "x", ".env", ".env"] })).toEqual(["x", "x (1)", ".env", ".env (1)"]);
    expect(sanitizeZipNames({ names: ["a.tar.gz", "a.tar.gz"] })).toEqual(["a.tar.gz", "a.tar (1).gz"]);
  });

  it("de-duplicates ignoring case and keeps the first spelling", () => {
    expect(sanitizeZipNames({ names: ["Photo.JPG", "photo.jpg", "PHOTO.jpg"] })).toEqual([
      "Photo.JPG",
      "photo (1).jpg",
      "PHOTO (2).jpg",
    ]);
  });

  it("de-duplicates names that collide only after sanitising", () => {
    expect(sanitizeZipNames({ names: ["x/a.jpg", "y\\a.jpg", "a.jpg ", "", "..", "image"] })).toEqual([
      "a.jpg",
      "a (1).jpg",
      "a (2).jpg",
      "image",
      "image (1)",
      "image (2)",
    ]);
  });

  it("does not collide with names that already carry a counter", () => {
    expect(sanitizeZipNames({ names: ["a.jpg", "a.jpg", "a (1).jpg"] })).toEqual(["a.jpg", "a (2).jpg", "a (1).jpg"]);
    expect(sanitizeZipNames({ names: ["a (1).jpg", "a.jpg", "a.jpg", "A (2).JPG"] })).toEqual([
      "a (1).jpg",
      "a.jpg",
      "a (3).jpg",
      "A (2).JPG",
    ]);
    expect(sanitizeZipNames({ names: ["a (1).jpg", "a (1).jpg"] })).toEqual(["a (1).jpg", "a (1) (1).jpg"]);
  });

  it("de-duplicates NFC and NFD spellings of the same name", () => {
    const nfc = "caf\u00e9.jpg";
    const nfd = "cafe\u0301.jpg";
    expect(nfc).not.toBe(nfd);
    expect(sanitizeZipNames({ names: [nfc, nfd, "CAF\u00c9.jpg"] })).toEqual([nfc, "caf\u00e9 (1).jpg", "CAF\u00c9 (2).jpg"]);
  });

  it("limits names to 200 UTF-8 bytes on a code point boundary, keeping the extension", () => {
    for (const unit of ["a", "\u00e9", "\u6f22", "\u{1F600}"]) {
      const long = unit.repeat(300) + ".jpeg";
      expect(bytes(long)).toBeGreaterThan(300);
      const out = one(long);
      expect(bytes(out)).toBeLessThanOrEqual(MAX_ZIP_NAME_BYTES);
      expect(bytes(out)).toBeGreaterThan(MAX_ZIP_NAME_BYTES - 4);
      expect(out.endsWith(".jpeg")).toBe(true);
      // Only whole units survive: no replacement characters and no half surrogate pairs.
      expect(out.slice(0, -5)).toBe(unit.repeat([...out.slice(0, -5)].length));
      expect(Buffer.from(out, "utf8").toString("utf8")).toBe(out);
    }
  });

  it("truncates a name without a usable extension, and re-trims what the cut exposes", () => {
    const out = one("b".repeat(199) + " " + "c".repeat(100));
    expect(out).toBe("b".repeat(199));
    const hugeExt = one("a." + "x".repeat(300));
    expect(bytes(hugeExt)).toBe(MAX_ZIP_NAME_BYTES);
    expect(hugeExt.startsWith("a.xxx")).toBe(true);
  });

  it("keeps de-duplicated long names within the limit and distinct", () => {
    const long = "\u00e9".repeat(150) + ".jpg";
    const out = sanitizeZipNames({ names: Array.from({ length: 12 }, () => long) });
    expect(new Set(out.map((n) => n.toLowerCase())).size).toBe(12);
    for (const name of out) {
      expect(bytes(name)).toBeLessThanOrEqual(MAX_ZIP_NAME_BYTES);
      expect(name.endsWith(".jpg")).toBe(true);
    }
    expect(out[11].endsWith(" (11).jpg")).toBe(true);
  });

  it("handles many identical names quickly", () => {
    const started = Date.now();
    const out = sanitizeZipNames({ names: Array.from({ length: 70_000 }, () => "IMG.jpg") });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out[0]).toBe("IMG.jpg");
    expect(out[69_999]).toBe("IMG (69999).jpg");
    expect(new Set(out).size).toBe(70_000);
  });
});
