import { describe, expect, it } from "vitest";

import { PREFIX_SIZE, blobAad, newBlobPrefix } from "@/lib/blob-crypto";
import { encodeAad, newDek, openJson, sealJson } from "@/lib/crypto";
import { AppError } from "@/lib/errors";


function flip(buf: unknown, at: number): Buffer {
  const copy = Buffer.from(buf as Buffer);
  copy[at] ^= 0x01;
  return copy;
}

describe("keys and associated data", () => {
  it("encodes AAD parts unambiguously", () => {
    expect(encodeAad(["ab", "c"]).equals(encodeAad(["a", "bc"]))).toBe(false);
    expect(blobAad({ imageId: "x", variant: "thumb" }).equals(blobAad({ imageId: "x", variant: "preview" }))).toBe(false);
    expect(() => blobAad({ imageId: "x", variant: "meta" as "thumb" })).toThrow(AppError);
  });

  it("produces fresh keys and prefixes", () => {
    expect(newDek()).toHaveLength(32);
    expect(newBlobPrefix()).toHaveLength(PREFIX_SIZE);
    expect(newDek().equals(newDek())).toBe(false);
  });
});

describe("sealed JSON metadata", () => {
  const dek = newDek();
  const value = { filename: "Zürich 🏔.jpg", exif: { iso: 100 }, labels: ["mountain"], phash: "abc" };

  it("round trips", () => {
    const { nonce, sealed } = sealJson({ dek, imageId: "img-1", value });
    expect(nonce).toHaveLength(12);
    expect(sealed.toString("utf8")).not.toContain("Zürich");
    expect(openJson({ dek, imageId: "img-1", nonce, sealed })).toEqual(value);
    // Fresh nonce each time.
    expect(sealJson({ dek, imageId: "img-1", value }).nonce.equals(nonce)).toBe(false);
  });

  it("fails closed on tampering", () => {
    const { nonce, sealed } = sealJson({ dek, imageId: "img-1", value });
    const bad = [
      { dek, imageId: "img-1", nonce, sealed: flip(sealed, 0) },
      { dek, imageId: "img-1", nonce, sealed: flip(sealed, sealed.length - 1) },
      { dek, imageId: "img-1", nonce, sealed: sealed.subarray(0, sealed.length - 1) },
      { dek, imageId: "img-1", nonce, sealed: sealed.subarray(0, 3) },
      { dek, imageId: "img-1", nonce: flip(nonce, 0), sealed },
      { dek, imageId: "img-1", nonce: nonce.subarray(0, 11), sealed },
      { dek, imageId: "img-2", nonce, sealed },
      { dek: newDek(), imageId: "img-1", nonce, sealed },
    ];
    for (const params of bad) {
      expect(() => openJson(params)).toThrow(expect.objectContaining({ code: "integrity" }));
    }
  });
});
