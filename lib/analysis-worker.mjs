// The model half of image analysis, run in a worker_threads thread so that
// inference (hundreds of ms of WebAssembly per image) never blocks the event
// loop. Plain .mjs, resolved from process.cwd() by lib/analysis-pool.ts and
// never bundled: Next's bundler cannot follow a worker's own requires.
// It cannot start with `import "server-only"` like the rest of lib/: that
// package throws outside the react-server condition, which a worker lacks.
//
// Models: @vladmandic/human 3.3.6 on @tensorflow/tfjs-backend-wasm: CenterNet
// (COCO, 80 classes) for objects and BlazeFace for faces; nsfwjs 4.4.0
// (MobileNetV2, 224 px) for explicit or suggestive content, on the same
// tfjs-core 4.22.0 engine and wasm backend. Weights and the .wasm ship inside
// the npm packages; nothing is fetched from the network.
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
let nsfw;
let loadMs = 0;
let nsfwLoadMs = 0;

/**
 * nsfwjs's own MobileNetV2 as an IOHandler. The package ships its weights as
 * base64 inside CommonJS files (dist/models/mobilenet_v2/*.min.js); its own
 * loader pulls them in through a TypeScript `__importStar`, which copies a
 * 3.5 MB string index by index (about 7 s and 70 MiB here), so they are required
 * directly. No URL is involved: the fetch shim above never sees this model.
 */
function nsfwModelHandler() {
  const dir = path.join(path.dirname(require.resolve("nsfwjs")), "..", "models", "mobilenet_v2");
  return {
    async load() {
      const json = require(path.join(dir, "model.min.js"));
      const shards = json.weightsManifest.flatMap((group) => group.paths.map((p) => Buffer.from(require(path.join(dir, `${p}.min.js`)), "base64")));
      const weights = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
      };
    },
  };
}

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
  // After Human has chosen the wasm backend: nsfwjs requires the @tensorflow/tfjs
  // bundle, whose tfjs-core is the same (deduplicated) module, so it runs on that
  // backend too. Its load() warms the model up with one prediction of zeros.
  const nsfwStarted = Date.now();
  const { NSFWJS } = require("nsfwjs/core");
  nsfw = new NSFWJS(nsfwModelHandler(), { size: 224 });
  await nsfw.load();
  nsfwLoadMs = Date.now() - nsfwStarted;
  loadMs = Date.now() - started;
  return instance;
}

let loading;

async function detect({ rgb, width, height }) {
  loading ??= load();
  human = await loading;
  const tensor = human.tf.tensor4d(Int32Array.from(rgb), [1, height, width, 3], "int32");
  // nsfwjs takes one image, not a batch; a reshape shares the pixels.
  const single = human.tf.reshape(tensor, [height, width, 3]);
  try {
    const result = await human.detect(tensor);
    const best = new Map();
    for (const o of result.object) best.set(o.label, Math.max(best.get(o.label) ?? 0, o.score));
    // classify() squashes the image to 224×224 itself (bilinear), as in a browser.
    const classes = await nsfw.classify(single, 5);
    const content = Object.fromEntries(classes.map((c) => [c.className.toLowerCase(), Math.round(c.probability * 1000) / 1000]));
    return {
      faces: result.face.length,
      objects: [...best].map(([label, score]) => ({ label, score: Math.round(score * 100) / 100 })).sort((a, b) => b.score - a.score),
      persons: result.object.filter((o) => o.label === "person").length,
      content,
      tensors: human.tf.memory().numTensors,
    };
  } finally {
    // Input and every intermediate go back: the count stays at the models' own weights.
    single.dispose();
    tensor.dispose();
  }
}

parentPort.on("message", async (msg) => {
  try {
    if (msg.type === "load") {
      loading ??= load();
      await loading;
      parentPort.postMessage({ id: msg.id, ok: true, value: { loadMs, nsfwLoadMs, rss: process.memoryUsage().rss } });
    } else if (msg.type === "detect") {
      parentPort.postMessage({ id: msg.id, ok: true, value: await detect(msg) });
    }
  } catch (err) {
    // A failed load is retried on the next job rather than remembered forever.
    if (msg.type === "load" || !human) loading = undefined;
    parentPort.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
