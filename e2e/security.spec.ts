import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

import { type APIRequestContext, request as playwrightRequest } from "@playwright/test";
import { MongoClient } from "mongodb";

import { expect, newCredentials, test } from "./fixtures";
import { DashboardPage, LoginPage, RegisterPage } from "./pages/auth-pages";

const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

/** One sign-in POST as a script would send it, straight to Auth.js, with whatever headers the attacker likes. */
async function postSignIn(api: APIRequestContext, username: string, password: string, headers: Record<string, string>) {
  const { csrfToken } = await (await api.get("/api/auth/csrf")).json();
  const res = await api.post("/api/auth/callback/credentials", {
    form: { csrfToken, username, password, callbackUrl: `${baseURL}/` },
    headers,
    maxRedirects: 0,
  });
  return decodeURIComponent(res.headers()["location"] ?? "");
}

async function withDb<T>(fn: (db: ReturnType<MongoClient["db"]>) => Promise<T>): Promise<T> {
  const client = new MongoClient(process.env.MONGODB_URI!, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await fn(client.db());
  } finally {
    await client.close();
  }
}

/** The embedded FerretDB serving this run, found by the address in MONGODB_URI. */
function ferretPid(): number {
  const host = /^mongodb:\/\/([^/?]+)/.exec(process.env.MONGODB_URI ?? "")![1];
  const needle = host.includes("%2F") ? decodeURIComponent(host) : host;
  const line = execFileSync("ps", ["-eo", "pid,args"])
    .toString()
    .split("\n")
    .find((l) => l.includes("ferretdb") && l.includes(needle));
  if (!line) throw new Error(`no FerretDB process serves ${needle}`);
  return Number(line.trim().split(/\s+/)[0]);
}

test.describe("attacks from the security review", () => {
  test.afterAll(async () => {
    // Later specs sign in from this address too.
    await withDb((db) => db.collection("login_attempts").deleteMany({}));
  });

  test("a random X-Forwarded-For per request no longer escapes the per-address limit", async () => {
    const api = await playwrightRequest.newContext({ baseURL });
    const outcomes: string[] = [];
    for (let i = 0; i < 32; i++) {
      const spoofed = `${1 + (i % 200)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
      const location = await postSignIn(api, `spray_${randomBytes(4).toString("hex")}`, "guess-password", {
        "X-Forwarded-For": spoofed,
        "X-Real-IP": spoofed,
      });
      outcomes.push(location.includes("rate_limited") ? "limited" : location.includes("error=") ? "refused" : location);
    }
    await api.dispose();
    // 30 failures per address per window; earlier specs may have used a few.
    expect(outcomes.filter((o) => o === "limited").length).toBeGreaterThanOrEqual(2);
    expect(outcomes.every((o) => o === "limited" || o === "refused")).toBe(true);
    expect(outcomes.at(-1)).toBe("limited");
  });

  test("signing out revokes that cookie on the server, and only that device's", async ({ browser }) => {
    const creds = newCredentials("revoke");
    const phone = await browser.newContext({ baseURL });
    const laptop = await browser.newContext({ baseURL });
    const phonePage = await phone.newPage();
    await new RegisterPage(phonePage).goto();
    await new RegisterPage(phonePage).register(creds);
    await expect(phonePage.getByTestId("display-name")).toHaveText(creds.displayName);
    const laptopPage = await laptop.newPage();
    await new LoginPage(laptopPage).goto();
    await new LoginPage(laptopPage).signIn(creds.username, creds.password);
    await expect(laptopPage.getByTestId("display-name")).toHaveText(creds.displayName);

    // The attacker's copy of the phone's cookie, taken before sign-out.
    const saved = await phone.storageState();
    await new DashboardPage(phonePage).signOut();

    const replay = await playwrightRequest.newContext({ baseURL, storageState: saved });
    expect((await replay.get("/api/images")).status()).toBe(404);
    await replay.dispose();
    expect((await laptop.request.get("/api/images")).status()).toBe(200);
    await phone.close();
    await laptop.close();
  });

  test("a database outage answers 503 'Storage is unavailable' and does not sign anyone out", async ({ page, user }) => {
    test.setTimeout(120_000);
    const pid = ferretPid();
    process.kill(pid, "SIGSTOP");
    try {
      const res = await page.request.get("/api/images", { timeout: 90_000 });
      expect(res.status()).toBe(503);
      expect(await res.json()).toMatchObject({ code: "unavailable", message: "Storage is unavailable. Please try again in a moment." });
      await page.goto("/", { timeout: 90_000 });
      await expect(page).not.toHaveURL(/\/login/);
      await expect(page.getByRole("alert").filter({ hasText: "Storage may be unavailable" })).toBeVisible();
    } finally {
      process.kill(pid, "SIGCONT");
    }
    // Back again: the same cookie still works.
    await expect.poll(async () => (await page.request.get("/api/images")).status(), { timeout: 60_000 }).toBe(200);
    await page.goto("/");
    await expect(page.getByTestId("display-name")).toHaveText(user.displayName);
  });
});
