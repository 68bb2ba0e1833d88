import { type Page, expect } from "@playwright/test";

/** Clicks a form's submit button and waits until its server action has answered. */
export async function submitAndSettle(page: Page, name: string) {
  const button = page.getByRole("button", { name, exact: true });
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), button.click()]);
  // Either the form is ready again (an error) or the page moved on (success).
  await page.waitForFunction(() => !document.querySelector('button[type="submit"][aria-disabled="true"]'));
}

export type Credentials = { username: string; displayName: string; password: string };

export class RegisterPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/register");
  }

  async register(user: Credentials, confirm = user.password) {
    await this.page.getByLabel("Username").fill(user.username);
    await this.page.getByLabel("Display name").fill(user.displayName);
    await this.page.getByLabel("Password", { exact: true }).fill(user.password);
    await this.page.getByLabel("Confirm password").fill(confirm);
    await submitAndSettle(this.page, "Create account");
  }
}

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/login");
  }

  async signIn(username: string, password: string) {
    await this.page.getByLabel("Username").fill(username);
    await this.page.getByLabel("Password").fill(password);
    await submitAndSettle(this.page, "Sign in");
  }

  /** The password form's message (the passkey form has its own). */
  status() {
    return this.page.getByRole("form", { name: "Sign in", exact: true }).getByRole("status");
  }

  /** Needs a virtual authenticator on the page (e2e/virtual-authenticator.ts). */
  async signInWithPasskey() {
    await this.page.getByRole("button", { name: "Sign in with a passkey" }).click();
  }

  passkeyStatus() {
    return this.page.getByRole("form", { name: "Sign in with a passkey" }).getByRole("status");
  }
}

export class SettingsPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/settings");
  }

  passkeyList() {
    return this.page.getByRole("list", { name: "Your passkeys" });
  }

  noPasskeys() {
    return this.page.getByRole("region", { name: "Passkeys" }).getByText("You have no passkeys yet.");
  }

  private addForm() {
    return this.page.getByRole("form", { name: "Add a passkey" });
  }

  async addPasskey(name: string, password: string) {
    const form = this.addForm();
    await form.getByLabel("Passkey name").fill(name);
    await form.getByLabel("Your password").fill(password);
    await form.getByRole("button", { name: "Add a passkey" }).click();
  }

  addStatus() {
    return this.addForm().getByRole("status");
  }

  async removePasskey(name: string) {
    await this.page.getByRole("button", { name: `Remove passkey ${name}` }).click();
  }
}

export class DashboardPage {
  constructor(private readonly page: Page) {}

  async expectSignedInAs(displayName: string) {
    await expect(this.page).toHaveURL(/\/$/);
    await expect(this.page.getByTestId("display-name")).toHaveText(displayName);
  }

  /** Opens the account menu in the header. */
  async openAccountMenu() {
    await this.page.getByRole("button", { name: /^Account: / }).click();
  }

  async signOut() {
    await this.openAccountMenu();
    await this.page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(this.page).toHaveURL(/\/login$/);
  }
}
