// The model half of image analysis, run in a worker_threads thread so that
// inference (hundreds of ms of WebAssembly per image) never blocks the event
// loop. Plain .mjs, resolved from process.cwd() by lib/analysis-pool.ts and
// never bundled: Next's bundler cannot follow a worker's own requires.
// It cannot start with `import "server-only"` like the rest of lib/: that
// package throws outside the react-server condition, which a worker lacks.
//
// Models: @vladmandic/human 3.3.6 on @tensorflow/tfjs-backend-wasm: CenterNet
// (COCO, 80 classes) for objects and BlazeFace for faces. Weights and the
// .wasm ship inside the npm packages; nothing is fetched from the network.
import { readFile } from "node:fs/promises";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parentPort } from "node:worker_threads";

const require = createRequire(path.join(process.cwd(), "package.json"));

// tfjs loads weights and the .wasm with fetch(); Node's fetch has no file:// scheme.
const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith("file://")) {
    // Offline by design: anything else would be a model hub or CDN.
    if (process.env.ANALYSIS_ALLOW_NETWORK === "1") return networkFetch(input, init);
    throw new Error(`analysis worker refuses to fetch ${url}`);
  }
  const body = await readFile(fileURLToPath(url));
  const type = url.endsWith(".json") ? "application/json" : url.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
  return new Response(body, { status: 200, headers: { "content-type": type } });
};

// Background work: on Linux setpriority(0) renices only the calling thread, so uploads and
// page requests on the main thread keep their share of the CPU while a model runs.
try {
  os.setPriority(Number(process.env.ANALYSIS_NICE ?? 19));
} catch {
  // Not permitted or not supported: the analysis simply runs at normal priority.
}

const FACE_MIN_CONFIDENCE = 0.6;
const OBJECT_MIN_CONFIDENCE = 0.3;

let human;
let loadMs = 0;

async function load() {
  const started = Date.now();
  // The package's "exports" map lacks "./" prefixes, so its node-wasm build is reached by path.
  const humanDir = path.dirname(path.dirname(require.resolve("@vladmandic/human")));
  const wasmDir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
  const { Human } = require(path.join(humanDir, "dist/human.node-wasm.js"));
  const instance = new Human({
    backend: "wasm",
    wasmPath: `${pathToFileURL(wasmDir).href}/`,
    modelBasePath: `${pathToFileURL(path.join(humanDir, "models")).href}/`,
    debug: false,
    async: true,
    warmup: "none",
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 50, minConfidence: FACE_MIN_CONFIDENCE, return: false },
      mesh: { enabled: false },
      iris: { enabled: false },
      description: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    object: { enabled: true, minConfidence: OBJECT_MIN_CONFIDENCE, maxDetected: 20 },
  });
  await instance.load();
  await instance.tf.ready();
  loadMs = Date.now() - started;
  return instance;
}

let loading;

async function detect({ rgb, width, height }) {
  loading ??= load();
  human = await loading;
  const tensor = human.tf.tensor4d(Int32Array.from(rgb), [1, height, width, 3], "int32");
  try {
    const result = await human.detect(tensor);
    const best = new Map();
    for (const o of result.object) best.set(o.label, Math.max(best.get(o.label) ?? 0, o.score));
    return {
      faces: result.face.length,
      objects: [...best].map(([label, score]) => ({ label, score: Math.round(score * 100) / 100 })).sort((a, b) => b.score - a.score),
      persons: result.object.filter((o) => o.label === "person").length,
      tensors: human.tf.memory().numTensors,
    };
  } finally {
    // Input and every intermediate go back: the count stays at the models' own weights.
    tensor.dispose();
  }
}

parentPort.on("message", async (msg) => {
  try {
    if (msg.type === "load") {
      loading ??= load();
      await loading;
      parentPort.postMessage({ id: msg.id, ok: true, value: { loadMs, rss: process.memoryUsage().rss } });
    } else if (msg.type === "detect") {
      parentPort.postMessage({ id: msg.id, ok: true, value: await detect(msg) });
    }
  } catch (err) {
    // A failed load is retried on the next job rather than remembered forever.
    if (msg.type === "load" || !human) loading = undefined;
    parentPort.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
