import { randomBytes } from "node:crypto";

import { test as base, expect } from "@playwright/test";

import { type Credentials, DashboardPage, LoginPage, RegisterPage, SettingsPage } from "./pages/auth-pages";

export function newCredentials(prefix = "user"): Credentials {
  const id = randomBytes(4).toString("hex");
  return { username: `${prefix}_${id}`, displayName: `Test ${prefix} ${id}`, password: `pw-${randomBytes(8).toString("hex")}` };
}

type Fixtures = {
  registerPage: RegisterPage;
  loginPage: LoginPage;
  dashboard: DashboardPage;
  settings: SettingsPage;
  /** A fresh account, registered and signed in on `page`. */
  user: Credentials;
};

export const test = base.extend<Fixtures>({
  registerPage: async ({ page }, use) => use(new RegisterPage(page)),
  loginPage: async ({ page }, use) => use(new LoginPage(page)),
  dashboard: async ({ page }, use) => use(new DashboardPage(page)),
  settings: async ({ page }, use) => use(new SettingsPage(page)),
  user: async ({ registerPage, dashboard }, use) => {
    const creds = newCredentials();
    await registerPage.goto();
    await registerPage.register(creds);
    await dashboard.expectSignedInAs(creds.displayName);
    await use(creds);
  },
});

export { expect };
