import { expectNoHorizontalOverflow } from "./a11y";
import { expect, newCredentials, test } from "./fixtures";
import { DashboardPage, RegisterPage } from "./pages/auth-pages";
import { GalleryPage } from "./pages/gallery-page";
import { samplePhotos } from "./photos";

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

test("phone 390×844: every action is reachable and no page scrolls sideways", async ({ page }) => {
  test.setTimeout(150_000);
  await page.goto("/login");
  await expectNoHorizontalOverflow(page, "sign-in");
  const creds = { ...newCredentials("phone"), displayName: "Alice Wonderland-Smythe of the Long Name" };
  const register = new RegisterPage(page);
  await register.goto();
  await expectNoHorizontalOverflow(page, "register");
  await register.register(creds);
  await expect(page).toHaveURL(/\/$/);
  await expectNoHorizontalOverflow(page, "empty timeline");

  // The header is one line: logo, nav with the current page marked, account button.
  const header = page.locator("header").first();
  expect((await header.boundingBox())!.height).toBeLessThanOrEqual(64);
  await expect(page.getByRole("link", { name: "Photos" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("link", { name: "Trash" })).not.toHaveAttribute("aria-current", "page");
  const dashboard = new DashboardPage(page);
  await dashboard.openAccountMenu();
  await expect(page.locator("[popover]").getByText(creds.displayName)).toBeVisible();
  await expect(page.getByRole("link", { name: "Settings" }).last()).toBeVisible();
  await page.keyboard.press("Escape");

  const gallery = new GalleryPage(page);
  await expect(page.locator("button", { hasText: "Upload images" })).toBeVisible();
  await gallery.upload(await samplePhotos());
  await gallery.expectUploadsSettled(7);
  await expectNoHorizontalOverflow(page, "timeline while uploading");
  // The upload chip closes by itself after a clean batch.
  await expect(page.getByTestId("upload-panel")).toHaveCount(0, { timeout: 15_000 });
  await expectNoHorizontalOverflow(page, "timeline");

  // Selecting: the actions move to a bar at the bottom of the screen.
  await page.getByRole("checkbox", { name: "Select market.jpg" }).check();
  const bar = page.getByRole("toolbar", { name: "Selection" });
  await expect(bar).toContainText("1 of 7 selected");
  const box = (await bar.boundingBox())!;
  expect(box.y + box.height).toBeGreaterThan(844 - 2);
  expect(box.y).toBeGreaterThan(700);
  for (const name of ["Clear selection", "Select all", "Download selected", "Delete selected"]) {
    const button = bar.getByRole("button", { name });
    await expect(button).toBeVisible();
    const b = (await button.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(390);
  }
  await expectNoHorizontalOverflow(page, "selection");
  // In selection mode, tapping a photo adds it.
  await gallery.tile("snow.jpg").click();
  await expect(bar).toContainText("2 of 7 selected");
  await bar.getByRole("button", { name: "Delete selected" }).click();
  await expect(page.getByRole("dialog", { name: "Move 2 images to the trash?" })).toBeVisible();
  await expectNoHorizontalOverflow(page, "dialog");
  await page.getByRole("button", { name: "Move to trash" }).click();
  await expect(gallery.items()).toHaveCount(5);

  // The viewer fills the screen; swipe moves to the next photo, Back closes it.
  await gallery.tile("harbour at dusk.jpg").click();
  await expect(page.getByRole("dialog", { name: "harbour at dusk.jpg" })).toBeVisible();
  await expectNoHorizontalOverflow(page, "viewer");
  for (const name of ["Download original", "Delete", "Close", "Next image"]) {
    await expect(page.getByRole("dialog").getByRole(name === "Download original" ? "link" : "button", { name })).toBeVisible();
  }
  await page.goBack();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);

  // Trash: "N days left", and restore from the bottom bar.
  await page.getByRole("link", { name: "Trash" }).click();
  await expect(page.getByRole("link", { name: "Trash" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("trash-item")).toHaveCount(2);
  await expect(page.getByTestId("trash-item").first()).toContainText("30 days left");
  await expectNoHorizontalOverflow(page, "trash");
  await page.getByRole("checkbox", { name: "Select snow.jpg" }).check();
  await page.getByRole("toolbar", { name: "Selection" }).getByRole("button", { name: "Restore" }).click();
  await expect(page.getByText("Restored 1 image.")).toBeVisible();

  await page.goto("/settings");
  await expect(page.getByRole("link", { name: "Settings" }).first()).toHaveAttribute("aria-current", "page");
  await expectNoHorizontalOverflow(page, "settings");
  await dashboard.signOut();
});
