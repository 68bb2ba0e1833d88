// The browser's upload and download protocol, spoken over real HTTP to `next start`:
// begin and complete are the gallery's server actions (POSTed as React's client
// does), parts are PUTs to the parts route, and originals are GETs of the image
// route. Used by the transfer and concurrency sections.
import { PART_CONCURRENCY } from "@/components/upload/queue";
import type { BeginUploadResult, GalleryItem } from "@/lib/gallery-types";
import { BEGIN_HEAD_BYTES } from "@/lib/schemas";

import { callServerAction, serverActionId, signIn } from "./http";
import { now } from "./util";

type ActionResult<T> = { status: "success"; data: T } | { status: "error"; code: string; message: string };

export type UploadTiming = { id: string; beginMs: number; partsMs: number; completeMs: number; totalMs: number };

export class AppClient {
  private readonly beginId: string;
  private readonly completeId: string;

  private constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    appDir: string,
  ) {
    this.beginId = serverActionId({ appDir, name: "beginUploadAction", file: "app/(gallery)/actions.ts" });
    this.completeId = serverActionId({ appDir, name: "completeUploadAction", file: "app/(gallery)/actions.ts" });
  }

  static async signIn({ baseUrl, appDir, username, password }: { baseUrl: string; appDir: string; username: string; password: string }) {
    return new AppClient(baseUrl, await signIn({ baseUrl, username, password }), appDir);
  }

  private async action<T>(actionId: string, input: unknown): Promise<T> {
    const result = await callServerAction<ActionResult<T>>({ baseUrl: this.baseUrl, cookie: this.cookie, actionId, input });
    if (result.status !== "success") throw new Error(`server action failed: ${result.code}: ${result.message}`);
    return result.data;
  }

  begin(name: string, size: number, head?: Buffer): Promise<BeginUploadResult> {
    return this.action<BeginUploadResult>(this.beginId, { name, size, head: head?.toString("base64") });
  }

  /** begin as the browser sends it (with the file's first bytes), answering the action's state as is. */
  beginState(name: string, size: number, head: Buffer): Promise<ActionResult<BeginUploadResult>> {
    return callServerAction<ActionResult<BeginUploadResult>>({
      baseUrl: this.baseUrl,
      cookie: this.cookie,
      actionId: this.beginId,
      input: { name, size, head: head.toString("base64") },
    });
  }

  complete(uploadId: string): Promise<GalleryItem> {
    return this.action<GalleryItem>(this.completeId, { uploadId });
  }

  async putPart(uploadId: string, index: number, bytes: Buffer): Promise<void> {
    const res = await fetch(`${this.baseUrl}/api/uploads/${uploadId}/parts/${index}`, {
      method: "PUT",
      headers: { cookie: this.cookie, "content-type": "application/octet-stream" },
      body: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength),
    });
    const text = await res.text();
    if (res.status !== 204) throw new Error(`PUT part ${index} answered ${res.status}: ${text.slice(0, 200)}`);
  }

  /** begin → parts, PART_CONCURRENCY at a time as the browser's engine sends one file's → complete, timed. */
  async upload(file: Buffer, name: string, onPhase?: (phase: "begun" | "parts" | "complete") => void): Promise<UploadTiming> {
    const t0 = now();
    const begun = await this.begin(name, file.length, file.subarray(0, BEGIN_HEAD_BYTES));
    const t1 = now();
    onPhase?.("begun");
    let next = 0;
    const worker = async () => {
      while (next < begun.partCount) {
        const i = next++;
        const start = i * begun.partSize;
        await this.putPart(begun.uploadId, i, file.subarray(start, Math.min(file.length, start + begun.partSize)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, begun.partCount) }, worker));
    const t2 = now();
    onPhase?.("parts");
    const item = await this.complete(begun.uploadId);
    const t3 = now();
    onPhase?.("complete");
    return { id: item.id, beginMs: t1 - t0, partsMs: t2 - t1, completeMs: t3 - t2, totalMs: t3 - t0 };
  }

  /** GET of the decrypted original; the body is collected without copying and checked afterwards by the caller. */
  async download(id: string): Promise<{ ms: number; body: Buffer }> {
    const t0 = now();
    const res = await fetch(`${this.baseUrl}/api/images/${id}/original`, { headers: { cookie: this.cookie } });
    if (res.status !== 200 || !res.body) throw new Error(`GET original answered ${res.status}`);
    const pieces: Uint8Array[] = [];
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pieces.push(value);
    }
    const ms = now() - t0;
    return { ms, body: Buffer.concat(pieces) };
  }
}
