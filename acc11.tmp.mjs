import { Worker } from "node:worker_threads";
import sharp from "sharp";
const w = new Worker(process.cwd() + "/workers/analysis-worker.mjs");
let id = 0; const pending = new Map();
w.on("message", (m) => { pending.get(m.id)(m); pending.delete(m.id); });
const call = (msg, t=[]) => new Promise((r) => { const i = ++id; pending.set(i, r); w.postMessage({ ...msg, id: i }, t); });
console.log(await call({ type: "load" }));
for (const f of ["astronaut", "cat", "coffee", "motorcycle", "rocket"]) {
  const { data, info } = await sharp(`lib/testing/photos/${f}.jpg`).resize(640, 640, { fit: "inside", withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const times = [];
  let r;
  for (let k = 0; k < 3; k++) { const t = Date.now(); r = await call({ type: "detect", rgb: new Uint8Array(data), width: info.width, height: info.height }); times.push(Date.now() - t); }
  console.log(f, JSON.stringify(r.value), "ms", times.join("/"));
}
process.exit(0);
