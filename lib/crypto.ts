import "server-only";

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import type { Binary } from "mongodb";

import { AppError } from "@/lib/errors";

/**
 * Data keys and what is sealed under them in one piece: small JSON values
 * (filename, EXIF, album text, ...) with AES-256-GCM. The segmented format
 * for blobs builds on the same keys and AAD encoding (lib/blob-crypto.ts).
 */

const KEY_SIZE = 32;
export const NONCE_SIZE = 12;
export const TAG_SIZE = 16;
export const ALGORITHM = "aes-256-gcm";

/** A fresh random 256-bit data key for one image. */
export function newDek(): Buffer {
  return randomBytes(KEY_SIZE);
}

/**
 * BSON Binary (what the driver returns) or any byte array → Buffer, as a view
 * without copying, because GridFS chunks pass through here on every read.
 */
export function toBuffer(value: Buffer | Uint8Array | Binary): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // Duck-typed rather than instanceof, so a second copy of bson in the tree still works.
  if (typeof value === "object" && value !== null && (value as { _bsontype?: unknown })._bsontype === "Binary") {
    const bytes = (value as Binary).value();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  throw new TypeError("expected a Buffer, Uint8Array or BSON Binary");
}

/**
 * Associated data built from several strings. Encoding: for each part,
 * uint32be(byte length of its UTF-8) ‖ UTF-8 bytes, concatenated in order.
 * The length prefixes make the split unambiguous: ("ab","c") and ("a","bc")
 * give different bytes, so no two (imageId, variant) pairs share an AAD.
 */
export function encodeAad(parts: readonly string[]): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    pieces.push(length, bytes);
  }
  return Buffer.concat(pieces);
}

export function assertKey(dek: Buffer): void {
  // A wrong-sized key is a programming error, not tampering; it must not look like an integrity failure.
  if (dek.length !== KEY_SIZE) throw new Error(`data key must be ${KEY_SIZE} bytes`);
}

/**
 * AAD for the metadata document: encodeAad([imageId, "meta"]). "meta" is not
 * a blob variant, so metadata and blob ciphertexts cannot stand in for each other.
 */
function metaAad(imageId: string): Buffer {
  if (!imageId) throw new AppError("invalid_input", "imageId is required");
  return encodeAad([imageId, "meta"]);
}

/** Seals a JSON value (filename, EXIF, labels, ...) under the image's DEK with a random 12-byte nonce. */
export function sealJson({ dek, imageId, value }: { dek: Buffer; imageId: string; value: unknown }): {
  nonce: Buffer;
  sealed: Buffer;
} {
  assertKey(dek);
  const json = JSON.stringify(value);
  if (json === undefined) throw new AppError("invalid_input", "value is not JSON-serialisable");
  const nonce = randomBytes(NONCE_SIZE);
  const cipher = createCipheriv(ALGORITHM, dek, nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(metaAad(imageId));
  const sealed = Buffer.concat([cipher.update(json, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { nonce, sealed };
}

/** Opens metadata sealed by sealJson. Any failure is the same opaque integrity error. */
export function openJson({
  dek,
  imageId,
  nonce,
  sealed,
}: {
  dek: Buffer;
  imageId: string;
  nonce: Buffer | Uint8Array | Binary;
  sealed: Buffer | Uint8Array | Binary;
}): unknown {
  assertKey(dek);
  const aad = metaAad(imageId);
  const nonceBytes = toBuffer(nonce);
  const sealedBytes = toBuffer(sealed);
  if (nonceBytes.length !== NONCE_SIZE || sealedBytes.length < TAG_SIZE) throw new AppError("integrity");
  let json: string;
  try {
    const decipher = createDecipheriv(ALGORITHM, dek, nonceBytes, { authTagLength: TAG_SIZE });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealedBytes.subarray(sealedBytes.length - TAG_SIZE));
    const body = sealedBytes.subarray(0, sealedBytes.length - TAG_SIZE);
    json = Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError("integrity");
  }
  // Authenticated bytes that are not JSON can only come from a bug, but still must not escape as a raw SyntaxError.
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new AppError("integrity");
  }
}
