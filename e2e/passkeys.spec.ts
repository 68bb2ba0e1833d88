import type { Browser, BrowserContext } from "@playwright/test";

import { expect, test } from "./fixtures";
import { VirtualAuthenticator } from "./virtual-authenticator";

// A passkey is bound to a domain name and browsers refuse an IP address as its RP ID,
// so these tests browse http://localhost (playwright.config.ts sets WEBAUTHN_ORIGIN to match).
const baseURL = `http://localhost:${process.env.E2E_PORT ?? 3100}`;
test.use({ baseURL });

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

/** Opens the app with a saved cookie in a fresh browser: is that session still signed in? */
async function stillSignedIn(browser: Browser, saved: StorageState): Promise<boolean> {
  const context = await browser.newContext({ storageState: saved, baseURL });
  const page = await context.newPage();
  await page.goto("/");
  const url = new URL(page.url());
  await context.close();
  return url.pathname === "/";
}

test.describe("passkeys", () => {
  test("register, add a passkey, sign out, sign in with it, remove it", async ({ page, user, settings, dashboard, loginPage }) => {
    const authenticator = await VirtualAuthenticator.attach(page);
    await settings.goto();
    await expect(settings.noPasskeys()).toBeVisible();

    // A passkey is a new way in: it takes the password, and a wrong one adds nothing.
    await settings.addPasskey("Laptop", "not-my-password");
    await expect(settings.addStatus()).toHaveText("That password is not correct.");
    await expect(page.getByLabel("Passkey name")).toHaveValue("Laptop");
    expect(await authenticator.credentials()).toHaveLength(0);

    await settings.addPasskey("Laptop", user.password);
    await expect(settings.addStatus()).toHaveText("Passkey added. You can now sign in with it.");
    await expect(settings.passkeyList().getByRole("listitem")).toHaveCount(1);
    await expect(settings.passkeyList()).toContainText("Laptop");
    await expect(settings.passkeyList()).toContainText("never used");
    expect(await authenticator.credentials()).toHaveLength(1);
    await page.screenshot({ path: "test-results/screens/settings-passkeys.png", fullPage: true });

    await dashboard.signOut();
    await page.screenshot({ path: "test-results/screens/sign-in-passkey.png", fullPage: true });
    await loginPage.signInWithPasskey();
    await dashboard.expectSignedInAs(user.displayName);

    await settings.goto();
    await expect(settings.passkeyList()).toContainText("last used");
    await settings.removePasskey("Laptop");
    await expect(settings.noPasskeys()).toBeVisible();
    await expect(settings.passkeyList()).toHaveCount(0);

    // The browser still holds the passkey; the server no longer knows it, and says so.
    await dashboard.signOut();
    await loginPage.signInWithPasskey();
    await expect(loginPage.passkeyStatus()).toHaveText(
      "This passkey is not registered here: it was removed, or its account was deleted. Sign in with your password.",
    );
    await expect(page).toHaveURL(/\/login$/);
    // The password still works after removing the last passkey.
    await loginPage.signIn(user.username, user.password);
    await dashboard.expectSignedInAs(user.displayName);
  });

  test("a passkey session ends with a new password and with 'Sign out everywhere'", async ({ page, browser, user, settings, dashboard, loginPage }) => {
    await VirtualAuthenticator.attach(page);
    await settings.goto();
    await settings.addPasskey("Phone", user.password);
    await expect(settings.addStatus()).toHaveText("Passkey added. You can now sign in with it.");

    await dashboard.signOut();
    await loginPage.signInWithPasskey();
    await dashboard.expectSignedInAs(user.displayName);
    const beforeNewPassword = await page.context().storageState();
    // Polled: one CI run (of many) found this fresh context signed out once, right after the passkey
    // sign-in, under the full suite's background analysis; not reproduced alone (3 of 3 passed). The
    // checks that matter, that revoked sessions stay out, are below and are not polled.
    await expect.poll(() => stillSignedIn(browser, beforeNewPassword), { timeout: 15_000 }).toBe(true);

    const newPassword = "brand-new-password-42";
    await settings.goto();
    await page.getByLabel("Current password").fill(user.password);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Password changed. Other devices have been signed out.")).toBeVisible();
    expect(await stillSignedIn(browser, beforeNewPassword)).toBe(false);

    // The passkey itself outlives the password change; its new session ends with "Sign out everywhere".
    await dashboard.signOut();
    await loginPage.signInWithPasskey();
    await dashboard.expectSignedInAs(user.displayName);
    const beforeEverywhere = await page.context().storageState();
    await settings.goto();
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect(await stillSignedIn(browser, beforeEverywhere)).toBe(false);
  });

  test("a cancelled or failed passkey prompt says so and keeps the sign-in page", async ({ page, user, settings, dashboard, loginPage }) => {
    const authenticator = await VirtualAuthenticator.attach(page);
    await settings.goto();
    await settings.addPasskey("Key", user.password);
    await expect(settings.addStatus()).toHaveText("Passkey added. You can now sign in with it.");
    await dashboard.signOut();

    await authenticator.setUserVerified(false);
    await loginPage.signInWithPasskey();
    await expect(loginPage.passkeyStatus()).toHaveText(
      "Passkey sign-in was cancelled or timed out, or this device has no passkey for this site.",
    );
    await expect(page).toHaveURL(/\/login$/);

    await authenticator.setUserVerified(true);
    await loginPage.signInWithPasskey();
    await dashboard.expectSignedInAs(user.displayName);
  });
});
