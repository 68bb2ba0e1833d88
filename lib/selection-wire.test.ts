import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { createDownloadToken, openZipDownload } from "@/lib/downloads";
import { countImages } from "@/lib/image-listing";
import { restoreImages, trashImages } from "@/lib/image-selection";
import { selectionInputSchema } from "@/lib/schemas";
import { MAX_SELECTION_IDS, packIds, packSelection, unpackIds } from "@/lib/selection-wire";
import { makePng } from "@/lib/testing/fixtures";
import { uploadBytes } from "@/lib/testing/upload-helper";

const wireScript = fileURLToPath(new URL("./testing/action-wire.mjs", import.meta.url));

/**
 * An action's argument through the real wire: React's encodeReply (as the browser
 * calls an action) and decodeReply (as Next decodes it), in a react-server process.
 */
async function overTheWire(input: unknown): Promise<unknown> {
  const child = spawn(process.execPath, ["--conditions=react-server", wireScript], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(JSON.stringify(input));
  const chunks: Buffer[] = [];
  for await (const chunk of child.stdout) chunks.push(chunk as Buffer);
  const out = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { value?: unknown; error?: string };
  if (out.error) throw new Error(out.error);
  return out.value;
}

const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe("packIds", () => {
  it("round-trips ids, whatever their case", () => {
    const ids = uuids(3);
    expect(unpackIds(packIds(ids))).toEqual(ids);
    expect(unpackIds(packIds(ids.map((id) => id.toUpperCase())))).toEqual(ids);
    expect(packIds(ids)).toHaveLength(96);
  });
});

describe("a selection over the server-action wire", () => {
  it("a plain array of 50,000 ids does not survive React's decoder (why ids are packed)", async () => {
    await expect(overTheWire({ selection: { ids: uuids(50_000) } })).rejects.toThrow(/Maximum array nesting/);
  });

  it.each([50_000, MAX_SELECTION_IDS])("%d packed ids arrive whole and pass the schema", async (n) => {
    const ids = uuids(n);
    const except = uuids(n);
    const parsed = selectionInputSchema.parse(await overTheWire({ selection: packSelection({ ids }) }));
    expect(parsed.selection).toEqual({ ids });
    const all = selectionInputSchema.parse(await overTheWire({ selection: packSelection({ all: true, except }) }));
    expect(all.selection).toEqual({ all: true, except });
  });

  it("the schema's limit is the real limit: one more id is refused with a message", () => {
    const parsed = selectionInputSchema.safeParse({ selection: packSelection({ ids: uuids(MAX_SELECTION_IDS + 1) }) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toBe("Select at most 100,000 images at a time.");
  });

  it("refuses malformed packed ids and empty explicit selections", () => {
    for (const ids of ["", "xyz", "0".repeat(31), `${"0".repeat(32)}0`, "g".repeat(32), `${"f".repeat(12)}9${"f".repeat(19)}`]) {
      expect(selectionInputSchema.safeParse({ selection: { ids } }).success, ids).toBe(false);
    }
    expect(selectionInputSchema.parse({ selection: packSelection({ all: true }) }).selection).toEqual({ all: true });
    expect(selectionInputSchema.parse({ selection: packSelection({ all: true, except: [] }) }).selection).toEqual({ all: true });
  });
});

describe("lib with a 50,000-id selection", () => {
  it("trashes, restores and zips the owner's images among 50,000 ids; unknown ids drop out", async () => {
    const ownerId = randomUUID();
    const real = [];
    for (let i = 0; i < 3; i++) real.push(await uploadBytes({ ownerId, name: `big-${i}.png`, bytes: await makePng({ width: 20 + i, height: 20 }) }));
    const ids = [...uuids(49_997), ...real.map((r) => r.id)];
    const { selection } = selectionInputSchema.parse(await overTheWire({ selection: packSelection({ ids }) }));

    const { token, count } = await createDownloadToken({ ownerId, selection });
    expect(count).toBe(3);
    const zip = await openZipDownload({ ownerId, token });
    let bytes = 0;
    for await (const piece of zip.body) bytes += piece.length;
    expect(bytes).toBe(zip.contentLength);

    expect((await trashImages({ ownerId, selection })).done).toBe(3);
    expect(await countImages({ ownerId })).toBe(0);
    expect((await restoreImages({ ownerId, selection })).done).toBe(3);
    expect(await countImages({ ownerId })).toBe(3);
    // Someone else's selection of the same ids touches nothing.
    expect((await trashImages({ ownerId: randomUUID(), selection })).done).toBe(0);
  });
});
