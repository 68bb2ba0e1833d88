import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": import.meta.dirname,
      // "server-only" throws outside React's server bundle; tests run lib/ directly on the server.
      "server-only": path.join(import.meta.dirname, "lib/testing/server-only-noop.ts"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts"],
    // The fault tests run servers and kill the database: `npm run test:faults` (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, "scripts/faults/**"],
    setupFiles: ["lib/testing/setup-db.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // next-auth imports "next/server" without an extension, which only a bundler resolves.
    server: { deps: { inline: ["next-auth"] } },
  },
});
