import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";
import { samplePhotos } from "./photos";

/** Every rendered thumbnail has loaded and faded in. */
const thumbnailsShown = (page: import("@playwright/test").Page) =>
  page.waitForFunction(() =>
    [...document.querySelectorAll("[data-tile-id] img")].every((img) => (img as HTMLImageElement).complete && getComputedStyle(img).opacity === "1"),
  );

const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

// Screenshots of every page at desktop and phone size, light and dark, kept in
// test-results/screens/ for people to look at.
test("a tour of the pages, with screenshots", async ({ page, user: _signedIn, dashboard }) => {
  test.setTimeout(240_000);
  const gallery = new GalleryPage(page);
  await gallery.upload(await samplePhotos());
  await gallery.expectUploadsSettled(7);
  await page.getByRole("button", { name: /show the list/ }).click();
  await page.screenshot({ path: "test-results/screens/desktop-light-uploads.png" });
  await page.goto("/trash");
  await page.goto("/");
  // One in the trash, for the trash page.
  await page.getByRole("checkbox", { name: "Select snow.jpg" }).check();
  await page.getByRole("button", { name: "Delete selected" }).click();
  await page.getByRole("button", { name: "Move to trash" }).click();
  await expect(gallery.items()).toHaveCount(6);

  for (const [size, viewport] of Object.entries(sizes)) {
    for (const scheme of ["light", "dark"] as const) {
      const shot = (name: string, fullPage = false) => page.screenshot({ path: `test-results/screens/${size}-${scheme}-${name}.png`, fullPage });
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto("/");
      await expect(gallery.tile("market.jpg")).toBeVisible();
      await thumbnailsShown(page);
      await shot("timeline", true);

      await page.getByRole("checkbox", { name: "Select market.jpg" }).check();
      await page.getByRole("checkbox", { name: "Select lighthouse.jpg" }).check();
      await shot("selection");
      await page.getByRole("button", { name: "Delete selected" }).click();
      await expect(page.getByRole("dialog", { name: "Move 2 images to the trash?" })).toBeVisible();
      await shot("delete-dialog");
      await page.getByRole("button", { name: "Cancel" }).click();
      await page.keyboard.press("Escape");

      if (size === "desktop") {
        await gallery.tile("lighthouse.jpg").hover();
        await expect(page.getByTestId("hover-preview")).toBeVisible();
        await page.waitForTimeout(400);
        await shot("hover-preview");
        await page.mouse.move(0, 0);
      }

      await gallery.tile("harbour at dusk.jpg").click();
      const viewer = page.getByRole("dialog", { name: "harbour at dusk.jpg" });
      await expect(viewer.getByText("Fujifilm X-T5")).toBeVisible();
      await expect(viewer.getByRole("img", { name: "harbour at dusk.jpg" })).toHaveCSS("opacity", "1");
      await shot("viewer");
      await page.keyboard.press("Escape");
      await expect(page.getByRole("dialog")).toHaveCount(0);
      await expect(page).toHaveURL(/\/$/);

      await page.goto("/trash");
      await expect(page.getByTestId("trash-item")).toHaveCount(1);
      await thumbnailsShown(page);
      await shot("trash");
      await page.goto("/settings");
      await shot("settings", true);
      await dashboard.openAccountMenu();
      await shot("account-menu");
      await page.keyboard.press("Escape");
    }
  }

  await page.setViewportSize(sizes.desktop);
  await page.emulateMedia({ colorScheme: "light" });
  await dashboard.signOut();
  for (const [size, viewport] of Object.entries(sizes)) {
    for (const scheme of ["light", "dark"] as const) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto("/login");
      await page.screenshot({ path: `test-results/screens/${size}-${scheme}-login.png` });
      await page.goto("/register");
      await page.screenshot({ path: `test-results/screens/${size}-${scheme}-register.png` });
    }
  }
});
