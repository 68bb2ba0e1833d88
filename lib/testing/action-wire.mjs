// Sends a server action's argument through React's real wire format, as a
// browser call and Next's action handler do: encodeReply (the client side),
// then decodeReply (the server side). Runs as its own process because React's
// server half needs Node's `react-server` condition, which the tests lack:
//   node --conditions=react-server lib/testing/action-wire.mjs < input.json
// stdin: the JSON argument; stdout: {"value": decoded} or {"error": message}.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { encodeReply } = require("next/dist/compiled/react-server-dom-turbopack/client.node");
const { decodeReply } = require("next/dist/compiled/react-server-dom-turbopack/server.node");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
let out;
try {
  // Actions called with useActionState get (previousState, input); the first is undefined here.
  const [, value] = await decodeReply(await encodeReply([undefined, input]), {});
  out = { value };
} catch (err) {
  out = { error: err instanceof Error ? err.message : String(err) };
}
process.stdout.write(JSON.stringify(out));
