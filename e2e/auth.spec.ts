import { expect, newCredentials, test } from "./fixtures";

test.describe("accounts", () => {
  test("register lands on the dashboard, then sign out and sign in again", async ({ page, registerPage, loginPage, dashboard }) => {
    const creds = newCredentials();
    await registerPage.goto();
    await registerPage.register(creds);
    await dashboard.expectSignedInAs(creds.displayName);
    await expect(page.getByText("No images yet")).toBeVisible();
    await page.screenshot({ path: "test-results/screens/dashboard-empty.png", fullPage: true });

    await dashboard.signOut();
    await loginPage.signIn(creds.username, creds.password);
    await dashboard.expectSignedInAs(creds.displayName);
  });

  test("registration validates each field and keeps the form", async ({ page, registerPage }) => {
    await registerPage.goto();
    await registerPage.register({ username: "a/", displayName: "X", password: "short" }, "different");
    await expect(page.getByText("Use only letters, digits, dots, underscores and hyphens.")).toBeVisible();
    await expect(page.getByText("Password must be at least 8 characters.")).toBeVisible();
    await expect(page.getByText("Passwords do not match.")).toBeVisible();
    await expect(page).toHaveURL(/\/register$/);
  });

  test("a username is unique ignoring case", async ({ page, registerPage, user, dashboard }) => {
    await dashboard.signOut();
    await registerPage.goto();
    await registerPage.register({ ...newCredentials(), username: user.username.toUpperCase() });
    await expect(page.getByText("That username is taken.").first()).toBeVisible();
    await expect(page).toHaveURL(/\/register$/);
  });

  test("wrong password and unknown user get the same message", async ({ loginPage, user, dashboard }) => {
    await dashboard.signOut();
    await loginPage.signIn(user.username, "wrong-password-1");
    await expect(loginPage.status()).toHaveText("Wrong username or password.");
    const wrongPassword = await loginPage.status().textContent();

    await loginPage.goto();
    await loginPage.signIn(`nobody_${Date.now()}`, "whatever-password");
    await expect(loginPage.status()).toHaveText("Wrong username or password.");
    expect(await loginPage.status().textContent()).toBe(wrongPassword);
  });

  test("repeated failures are rate limited with a wait time", async ({ loginPage, user, dashboard }) => {
    await dashboard.signOut();
    for (let i = 0; i < 5; i++) {
      await loginPage.signIn(user.username, `wrong-${i}-password`);
      await expect(loginPage.status()).toHaveText("Wrong username or password.");
    }
    // Even the right password is refused while the limit holds.
    await loginPage.signIn(user.username, user.password);
    await expect(loginPage.status()).toHaveText(/Too many sign-in attempts\. Try again in \d+ (minute|second)s?\./);
  });

  test("signed-out visitors are sent to the sign-in page", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login/);
  });

  test("a cookie saved before 'Sign out everywhere' no longer works", async ({ page, browser, user: _signedIn }) => {
    const saved = await page.context().storageState();
    expect(saved.cookies.map((c) => c.name)).toContain("authjs.session-token");

    await page.goto("/settings");
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/login$/);

    const stale = await browser.newContext({ storageState: saved });
    const stalePage = await stale.newPage();
    await stalePage.goto("/");
    await expect(stalePage).toHaveURL(/\/login$/);
    await stale.close();
  });

  test("changing the password revokes other sessions but keeps this one", async ({ page, browser, user, loginPage, dashboard }) => {
    const saved = await page.context().storageState();
    await page.goto("/settings");
    await page.getByLabel("Current password").fill(user.password);
    await page.getByLabel("New password", { exact: true }).fill("brand-new-password-42");
    await page.getByLabel("Confirm new password").fill("brand-new-password-42");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Password changed. Other devices have been signed out.")).toBeVisible();

    await page.goto("/");
    await dashboard.expectSignedInAs(user.displayName);

    const stale = await browser.newContext({ storageState: saved });
    const stalePage = await stale.newPage();
    await stalePage.goto("/");
    await expect(stalePage).toHaveURL(/\/login$/);
    await stale.close();

    await dashboard.signOut();
    await loginPage.signIn(user.username, user.password);
    await expect(loginPage.status()).toHaveText("Wrong username or password.");
    await loginPage.signIn(user.username, "brand-new-password-42");
    await dashboard.expectSignedInAs(user.displayName);
  });

  test("deleting the account needs the password and removes the login", async ({ page, user, loginPage }) => {
    await page.goto("/settings");
    await page.getByLabel("Password to confirm").fill("not-my-password");
    await page.getByRole("button", { name: "Delete account" }).click();
    await expect(page.getByText("That password is not correct.").first()).toBeVisible();

    await page.getByLabel("Password to confirm").fill(user.password);
    await page.getByRole("button", { name: "Delete account" }).click();
    await expect(page).toHaveURL(/\/login\?deleted=1$/);
    await expect(page.getByText("Your account and all its data were deleted.")).toBeVisible();

    await loginPage.signIn(user.username, user.password);
    await expect(loginPage.status()).toHaveText("Wrong username or password.");
  });
});
