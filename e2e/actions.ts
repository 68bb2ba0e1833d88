// Calls a server action over HTTP exactly as the browser does: the action id from the
// build's manifest, the argument encoded by React's encodeReply, the answer decoded by
// React's Flight client. For payloads the UI cannot reach in a test (50,000 selected ids).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";

import type { Page } from "@playwright/test";

const require = createRequire(import.meta.url);
const flight = require("next/dist/compiled/react-server-dom-turbopack/client.node") as {
  encodeReply: (value: unknown) => Promise<string | FormData>;
  createFromNodeStream: (stream: Readable, manifest: unknown) => Promise<{ a: Promise<unknown> }>;
};

type Manifest = { node: Record<string, { filename: string; exportedName?: string }> };

function actionId(file: string, name: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(".next", "server", "server-reference-manifest.json"), "utf8")) as Manifest;
  const found = Object.entries(manifest.node).find(([, v]) => v.filename === file && v.exportedName === name);
  if (!found) throw new Error(`no server action ${name} in ${file} in .next/server/server-reference-manifest.json`);
  return found[0];
}

export type ActionCall = { status: number; state: unknown };

/** Posts `input` to the action as useActionState does (previous state undefined); returns the HTTP status and the action's state. */
export async function callAction(page: Page, { file, name, input }: { file: string; name: string; input: unknown }): Promise<ActionCall> {
  const body = await flight.encodeReply([undefined, input]);
  if (typeof body !== "string") throw new Error("expected a plain-text action body");
  const baseURL = new URL(page.url()).origin;
  const res = await page.request.post("/", {
    headers: { "next-action": actionId(file, name), accept: "text/x-component", "content-type": "text/plain;charset=UTF-8", origin: baseURL },
    data: body,
    timeout: 120_000,
  });
  if (res.status() !== 200) return { status: res.status(), state: null };
  // The answer also carries the re-rendered page (after revalidatePath), whose client
  // components this Node process cannot load: every client module resolves to a stub,
  // and only the action's own result (`a`) is read.
  const anyModule = new Proxy({}, { get: (_t, id) => ({ "*": { id: String(id), chunks: [], name: "*" } }) });
  (globalThis as { __next_require__?: unknown }).__next_require__ ??= () => ({});
  const root = await flight.createFromNodeStream(Readable.from([await res.body()]), { moduleMap: anyModule, serverModuleMap: null, moduleLoading: null });
  return { status: res.status(), state: await root.a };
}
