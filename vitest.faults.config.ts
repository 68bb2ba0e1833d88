import path from "node:path";
import { defineConfig } from "vitest/config";

// `npm run test:faults`: tests that really break things (the database stopped and
// killed, servers killed mid-download, two servers on one database), against real
// `next start` servers of one `next build`. One file at a time: they kill shared things.
export default defineConfig({
  resolve: {
    alias: {
      "@": import.meta.dirname,
      "server-only": path.join(import.meta.dirname, "lib/testing/server-only-noop.ts"),
    },
  },
  test: {
    include: ["scripts/faults/**/*.test.ts"],
    globalSetup: ["scripts/faults/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: "forks",
    server: { deps: { inline: ["next-auth"] } },
  },
});
