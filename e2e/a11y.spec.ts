import { expectAccessible } from "./a11y";
import { expect, newCredentials, test } from "./fixtures";
import { DashboardPage, RegisterPage } from "./pages/auth-pages";
import { GalleryPage } from "./pages/gallery-page";
import { samplePhotos } from "./photos";

// axe on every page and state, in light and dark: no serious or critical violations.
for (const colorScheme of ["light", "dark"] as const) {
  test(`every page passes axe (${colorScheme})`, async ({ page }) => {
    test.setTimeout(150_000);
    await page.emulateMedia({ colorScheme });
    const creds = newCredentials("axe");

    await page.goto("/login");
    await expectAccessible(page, "sign-in");
    const register = new RegisterPage(page);
    await register.goto();
    await expectAccessible(page, "register");
    await register.register(creds);
    const dashboard = new DashboardPage(page);
    await dashboard.expectSignedInAs(creds.displayName);
    await expectAccessible(page, "empty timeline");

    const gallery = new GalleryPage(page);
    await gallery.upload(await samplePhotos());
    await gallery.expectUploadsSettled(7);
    await expectAccessible(page, "timeline with uploads");
    await page.getByRole("button", { name: /show the list/ }).click();
    await expectAccessible(page, "upload list open");

    await page.reload();
    await expect(gallery.tile("market.jpg")).toBeVisible();
    await expectAccessible(page, "timeline with images");

    await page.getByRole("checkbox", { name: "Select market.jpg" }).check();
    await page.getByRole("checkbox", { name: "Select snow.jpg" }).check();
    await expectAccessible(page, "selection");

    await page.getByRole("button", { name: "Delete selected" }).click();
    await expect(page.getByRole("dialog", { name: "Move 2 images to the trash?" })).toBeVisible();
    await expectAccessible(page, "confirmation dialog");
    await page.getByRole("button", { name: "Move to trash" }).click();
    await expect(page.getByRole("button", { name: "Undo" })).toBeVisible();
    // Once the toast has finished sliding in (axe would measure a half-faded colour).
    await expect(page.locator('[data-sonner-toast][data-mounted="true"]')).toBeVisible();
    await page.waitForTimeout(800);
    await expectAccessible(page, "toast with Undo");

    await gallery.tile("harbour at dusk.jpg").click();
    const viewer = page.getByRole("dialog", { name: "harbour at dusk.jpg" });
    await expect(viewer.getByText("Fujifilm X-T5")).toBeVisible();
    await expect(viewer.getByRole("img", { name: "harbour at dusk.jpg" })).toBeVisible();
    await expectAccessible(page, "viewer");
    await page.reload();
    await expect(page.getByRole("heading", { name: "harbour at dusk.jpg" })).toBeVisible();
    await expectAccessible(page, "photo page");

    await page.goto("/trash");
    await expect(page.getByTestId("trash-item")).toHaveCount(2);
    await page.getByRole("checkbox", { name: "Select snow.jpg" }).check();
    await expectAccessible(page, "trash with a selection");

    await page.goto("/settings");
    await expectAccessible(page, "settings");
    await dashboard.openAccountMenu();
    await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
    await expectAccessible(page, "account menu");
  });
}
