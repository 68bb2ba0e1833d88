import "server-only";

import path from "node:path";
import { Worker } from "node:worker_threads";

import { limits } from "@/lib/config";

/**
 * A small pool of worker_threads running the vision models
 * (lib/analysis-worker.mjs). Each worker loads the models once and keeps
 * them; inference runs off the event loop. The worker script is resolved from
 * the project root at run time, never bundled (next.config.js traces it).
 */

export type Detection = {
  faces: number;
  /** COCO labels with the best score each, best first. */
  objects: { label: string; score: number }[];
  persons: number;
  /** nsfwjs's class probabilities (drawing, hentai, neutral, porn, sexy), summing to about 1. */
  content: Record<NsfwClass, number>;
  tensors: number;
};

export type NsfwClass = "drawing" | "hentai" | "neutral" | "porn" | "sexy";

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void; timer: NodeJS.Timeout };
type Slot = { worker: Worker; pending: Map<number, Pending>; busy: number };

const JOB_TIMEOUT_MS = 120_000;
const WORKER_FILE = () => path.join(process.cwd(), "lib", "analysis-worker.mjs");

// On globalThis: Next may load this module in several bundles of one process.
const state = ((globalThis as { __analysisPool?: { slots: Slot[]; nextId: number } }).__analysisPool ??= { slots: [], nextId: 1 });

function spawn(): Slot {
  const worker = new Worker(WORKER_FILE());
  const slot: Slot = { worker, pending: new Map(), busy: 0 };
  worker.on("message", (msg: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const p = slot.pending.get(msg.id);
    if (!p) return;
    slot.pending.delete(msg.id);
    slot.busy--;
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.error ?? "analysis worker failed"));
  });
  const fail = (err: Error) => {
    state.slots = state.slots.filter((s) => s !== slot);
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    slot.pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`analysis worker exited (${code})`)));
  // An idle pool must not keep a script (tests, backfill) alive.
  worker.unref();
  return slot;
}

function pick(): Slot {
  while (state.slots.length < limits.analysisWorkers) state.slots.push(spawn());
  return state.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
}

function call<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
  const slot = pick();
  const id = state.nextId++;
  slot.busy++;
  if (slot.busy === 1) slot.worker.ref();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      slot.pending.delete(id);
      slot.busy--;
      reject(new Error("analysis worker timed out"));
      // A stuck worker is replaced; its models load again in the new one.
      void slot.worker.terminate();
    }, JOB_TIMEOUT_MS);
    slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    slot.worker.postMessage({ ...message, id }, transfer);
  }).finally(() => {
    if (slot.busy === 0) slot.worker.unref();
  });
}

/**
 * Loads the models in every worker; returns the slowest load time (all models,
 * and nsfwjs's part of it) and the process RSS after.
 */
export async function warmAnalysisPool(): Promise<{ loadMs: number; nsfwLoadMs: number; rss: number }> {
  while (state.slots.length < limits.analysisWorkers) state.slots.push(spawn());
  const loads = await Promise.all(state.slots.map(() => call<{ loadMs: number; nsfwLoadMs: number; rss: number }>({ type: "load" })));
  return { loadMs: Math.max(...loads.map((l) => l.loadMs)), nsfwLoadMs: Math.max(...loads.map((l) => l.nsfwLoadMs)), rss: process.memoryUsage().rss };
}

/** Faces and objects in an RGB image (8 bits per channel, no alpha). The buffer is moved to the worker. */
export async function detectInImage({ rgb, width, height }: { rgb: Uint8Array; width: number; height: number }): Promise<Detection> {
  const copy = new Uint8Array(rgb);
  return call<Detection>({ type: "detect", rgb: copy, width, height }, [copy.buffer as ArrayBuffer]);
}

/** Stops every worker (tests, scripts). */
export async function closeAnalysisPool(): Promise<void> {
  const slots = state.slots;
  state.slots = [];
  await Promise.all(slots.map((s) => s.worker.terminate()));
}
