import "server-only";

/** Longest entry name we emit; well under every file system's 255-byte limit, leaving room for " (n)". */
export const MAX_ZIP_NAME_BYTES = 200;

/** A trailing ".xyz" longer than this is treated as part of the name, so truncation never keeps a huge "extension". */
const MAX_EXTENSION_BYTES = 32;

const FALLBACK_NAME = "image";

// C0, DEL and C1 controls: invisible, and some tools treat them as terminators or escapes.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidirectional overrides make "photo\u202Egpj.exe" display as "photoexe.jpg"; nobody needs them in a file name.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Unpaired surrogates cannot be encoded as UTF-8; Buffer would silently turn them into U+FFFD anyway.
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Windows refuses these in file names, so an archive containing them cannot be extracted there.
const WINDOWS_ILLEGAL = /[<>:"|?*]/g;
// Windows maps these device names to devices whatever the extension ("nul.jpg" included).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\.|$)/i;

const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a code point. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let out = "";
  let used = 0;
  // for..of walks code points, so a surrogate pair is kept or dropped as a whole.
  for (const ch of text) {
    const size = byteLength(ch);
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/** Windows drops trailing dots and spaces on extraction, which would make two distinct names collide. */
function trimName(name: string): string {
  return name.replace(/^ +/, "").replace(/[ .]+$/, "");
}

function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf(".");
  // A leading dot (".profile") is a hidden-file marker, not an extension.
  if (dot <= 0) return { stem: name, ext: "" };
  const ext = name.slice(dot);
  if (byteLength(ext) > MAX_EXTENSION_BYTES) return { stem: name, ext: "" };
  return { stem: name.slice(0, dot), ext };
}

/** Joins stem, suffix and extension, shortening the stem so the result fits the byte limit. */
function fit(stem: string, suffix: string, ext: string): string {
  const budget = MAX_ZIP_NAME_BYTES - byteLength(suffix) - byteLength(ext);
  // Cutting may leave a trailing space or dot, which matters only when nothing follows it.
  let cut = truncateUtf8(stem, budget);
  if (!suffix && !ext) cut = trimName(cut);
  return cut + suffix + ext;
}

function sanitizeOne(raw: string): string {
  let name = raw.replace(LONE_SURROGATES, "\ufffd").normalize("NFC");
  // Entries must never land outside the extraction folder, so only the last path segment survives.
  const segments = name.split(/[/\\]/).filter((s) => s !== "");
  name = segments.length > 0 ? segments[segments.length - 1] : "";
  name = name.replace(CONTROL_CHARS, "").replace(BIDI_CONTROLS, "").replace(WINDOWS_ILLEGAL, "_");
  name = trimName(name);
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  if (byteLength(name) > MAX_ZIP_NAME_BYTES) {
    const { stem, ext } = splitExtension(name);
    name = fit(stem, "", ext);
  }
  if (name === "" || name === "." || name === "..") name = FALLBACK_NAME;
  return name;
}

/** Case folding as Windows and macOS see it, so names that differ only in case still count as the same file. */
function collisionKey(name: string): string {
  return name.toLowerCase();
}

/**
 * Turns stored file names into safe, unique zip entry names, in input order.
 * Each name is reduced to its base name, cleaned of characters that are
 * dangerous or illegal on common file systems, NFC-normalised, limited to
 * MAX_ZIP_NAME_BYTES and made unique ignoring case: a.jpg, a (1).jpg, a (2).jpg.
 */
export function sanitizeZipNames({ names }: { names: string[] }): string[] {
  const cleaned = names.map(sanitizeOne);

  // The first holder of each name keeps it, so a file really called "a (1).jpg"
  // keeps its name and a later duplicate "a.jpg" skips to "a (2).jpg".
  const taken = new Set<string>();
  const keepsName = cleaned.map((name) => {
    const key = collisionKey(name);
    if (taken.has(key)) return false;
    taken.add(key);
    return true;
  });

  // Remembers where counting stopped per name, so thousands of identical names stay linear.
  const nextCounter = new Map<string, number>();
  return cleaned.map((name, i) => {
    if (keepsName[i]) return name;
    const key = collisionKey(name);
    const { stem, ext } = splitExtension(name);
    let n = nextCounter.get(key) ?? 1;
    let candidate = fit(stem, ` (${n})`, ext);
    while (taken.has(collisionKey(candidate))) {
      n += 1;
      candidate = fit(stem, ` (${n})`, ext);
    }
    nextCounter.set(key, n + 1);
    taken.add(collisionKey(candidate));
    return candidate;
  });
}
