// Test files for the bench: JPEGs of noise, which no codec shrinks, at a chosen size.
import { randomBytes } from "node:crypto";

import sharp from "sharp";

import { MiB } from "./util";

export async function noiseJpeg({ width, height }: { width: number; height: number }): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 100, chromaSubsampling: "4:4:4" })
    .toBuffer();
}

/** Noise JPEG (quality 100, 4:4:4) of about `mib` MiB: ~2.92 bytes per pixel. */
export function noiseDims(mib: number) {
  const pixels = (mib * MiB) / 2.92;
  const width = Math.max(16, Math.round(Math.sqrt((pixels * 4) / 3)));
  return { width, height: Math.max(16, Math.round((width * 3) / 4)) };
}

/**
 * A distinct but equally valid copy of a JPEG: a comment segment (COM, FF FE)
 * with `tag` right after the start-of-image marker. Decoders skip comments, so
 * every copy analyses alike, while every stored original differs.
 */
export function taggedJpeg(base: Buffer, tag: string): Buffer {
  const text = Buffer.from(tag, "utf8");
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([base.subarray(0, 2), header, text, base.subarray(2)]);
}

export async function consume(source: AsyncIterable<Buffer | Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of source) n += chunk.length;
  return n;
}
