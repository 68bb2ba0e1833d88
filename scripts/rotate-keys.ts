// Rewraps every image's data key under the first key of IMAGE_KEYS (DESIGN.md §3).
//
//   npm run keys:rotate                 rewrap under the current primary key
//   npm run keys:rotate -- --new-key    (embedded default only) generate a new primary
//                                       key into .data/secrets.json first, then rewrap
//
// Resumable: kill it at any point and run it again; it finishes the job.
// Content is never re-encrypted. Afterwards the old key can be dropped from IMAGE_KEYS.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { closeDb } from "@/lib/db";
import { keysReady, rotateAllKeys } from "@/lib/key-maintenance";
import { getKeyring } from "@/lib/keys";

async function main() {
  if (process.argv.includes("--new-key")) {
    const file = path.join(process.cwd(), ".data", "secrets.json");
    if (!fs.existsSync(file)) {
      throw new Error("--new-key edits .data/secrets.json (the embedded default); with your own IMAGE_KEYS, prepend the new key yourself");
    }
    const secrets = JSON.parse(fs.readFileSync(file, "utf8"));
    const kid = `k${Date.now().toString(36)}`;
    secrets.IMAGE_KEYS = `${kid}:${randomBytes(32).toString("base64")},${secrets.IMAGE_KEYS}`;
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
    process.env.IMAGE_KEYS = secrets.IMAGE_KEYS;
    console.log(`Added new primary key '${kid}' to .data/secrets.json`);
  }
  const { primaryKid, keys } = getKeyring();
  console.log(`Rewrapping data keys under '${primaryKid}' (${keys.size} key(s) configured)...`);
  await keysReady();
  const { rewrapped } = await rotateAllKeys({
    onProgress: (p) => console.log(`  ${p.collection}: ${p.rewrapped} rewrapped so far`),
  });
  console.log(`Done: ${rewrapped} data key(s) rewrapped. Every image now opens with '${primaryKid}' alone;`);
  console.log("the other keys can be removed from IMAGE_KEYS.");
}

main()
  .then(() => closeDb())
  .catch(async (err) => {
    console.error(`keys:rotate failed: ${err instanceof Error ? err.message : err}`);
    await closeDb().catch(() => {});
    process.exit(1);
  });
