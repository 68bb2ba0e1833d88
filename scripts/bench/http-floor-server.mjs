// The least any HTTP app can do on this stack, as a yardstick for the transfer section:
// a bare node:http server that pipes a PUT body into GridFS (one file per part, no auth,
// no crypto, no framework) and streams GET /<id> out of GridFS. The app's HTTP path can
// only approach this; the gap between it and the raw driver is the HTTP hop itself.
import http from "node:http";

import { GridFSBucket, MongoClient, ObjectId } from "mongodb";

const client = await MongoClient.connect(process.env.MONGODB_URI);
const bucket = new GridFSBucket(client.db());
const server = http.createServer((req, res) => {
  const fail = () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  };
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    bucket.openDownloadStream(new ObjectId(req.url.slice(1))).once("error", fail).pipe(res);
    return;
  }
  const up = bucket.openUploadStream("part");
  up.once("finish", () => res.writeHead(201, { "content-type": "text/plain" }).end(String(up.id)));
  up.once("error", fail);
  req.pipe(up);
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
