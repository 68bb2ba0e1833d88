import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

// Runs against `next build` output served by `next start`; the database comes from
// scripts/with-db.mjs (npm test), which sets MONGODB_URI and the development secrets.
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "test-results",
  // Two cores: one browser at a time keeps the server responsive and the results stable.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // `npx playwright install` cannot download here; Debian's chromium is installed by scripts/ensure-chromium.mjs.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    },
  },
  webServer: {
    command: `npx next start -p ${port} -H 127.0.0.1`,
    url: `${baseURL}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    // Small pages so "Select all" is tested with more images than one page holds.
    // Every test registers from this one address, far more often than a person would.
    // Passkeys need a domain name (browsers refuse an IP address as WebAuthn RP ID), so
    // e2e/passkeys.spec.ts browses http://localhost and the server is told so.
    env: {
      AUTH_TRUST_HOST: "true",
      AUTH_URL: baseURL,
      WEBAUTHN_ORIGIN: `http://localhost:${port}`,
      GALLERY_PAGE_SIZE: "8",
      // Bulk operations in steps of 5, so that a "Select all" of a dozen takes several steps.
      BULK_STEP: "5",
      REGISTRATIONS_PER_HOUR: "1000",
    },
  },
});
