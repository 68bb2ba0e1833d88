import type { Page } from "@playwright/test";

import { makeJpeg } from "../lib/testing/fixtures";
import { expectFocusVisible } from "./a11y";
import { expect, newCredentials, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";

/** Presses Tab (or Shift+Tab) until `match` holds for the focused element; fails after `max` presses. */
async function tabTo(page: Page, what: string, match: (el: { tag: string; name: string; tile: boolean; role: string }) => boolean, { back = false, max = 40 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return {
        tag: a?.tagName ?? "",
        name: (a?.getAttribute("aria-label") ?? a?.textContent ?? "").trim(),
        tile: Boolean(a?.dataset.tileId),
        role: a?.getAttribute("role") ?? "",
      };
    });
    if (match(el)) {
      await expectFocusVisible(page, what);
      return;
    }
  }
  throw new Error(`Tab never reached ${what}`);
}

const focusedTile = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute("aria-label") ?? "");

// No mouse anywhere: every step is a key press, and focus is visible at each stop.
test("keyboard only: upload, view, move with arrows, select a range, delete, undo, restore", async ({ page }) => {
  test.setTimeout(150_000);
  const creds = newCredentials("keys");
  await page.goto("/register");
  for (const [i, value] of [creds.username, creds.displayName, creds.password, creds.password].entries()) {
    await tabTo(page, `field ${i}`, (el) => el.tag === "INPUT");
    await page.keyboard.type(value);
  }
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("display-name")).toHaveText(creds.displayName);

  // Upload: Enter on the focused "Upload images" button opens the file chooser.
  await tabTo(page, "Upload images", (el) => el.name === "Upload images");
  const chooser = page.waitForEvent("filechooser");
  await page.keyboard.press("Enter");
  const names = ["k1.jpg", "k2.jpg", "k3.jpg", "k4.jpg"];
  await (await chooser).setFiles(
    await Promise.all(
      names.map(async (name, i) => ({
        name,
        mimeType: "image/jpeg",
        buffer: await makeJpeg({ width: 400 + i * 40, height: 300, exif: { DateTimeOriginal: `2025:05:0${i + 1} 10:00:00` } }),
      })),
    ),
  );
  const gallery = new GalleryPage(page);
  await gallery.expectUploadsSettled(4);
  await expect(gallery.items()).toHaveCount(4);

  // Into the grid: the newest photo (k4) is first.
  await tabTo(page, "a photo", (el) => el.tile);
  await expect.poll(() => focusedTile(page)).toBe("Open k4.jpg");
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => focusedTile(page)).toBe("Open k3.jpg");
  await expectFocusVisible(page, "k3");

  // Enter opens the viewer at the photo's URL; the arrows move, and Escape comes back to the last photo seen.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "k3.jpg" })).toBeVisible();
  await expect(page).toHaveURL(/\/photo\/[0-9a-f-]{36}$/);
  await expectFocusVisible(page, "the viewer's first control");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("dialog", { name: "k2.jpg" })).toBeVisible();
  const k2Url = page.url();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByRole("dialog", { name: "k3.jpg" })).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(k2Url);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(() => focusedTile(page)).toBe("Open k2.jpg");
  await expectFocusVisible(page, "the photo the viewer closed on");

  // A range: Home, then Shift+Right twice selects k4, k3, k2.
  await page.keyboard.press("Home");
  await expect.poll(() => focusedTile(page)).toBe("Open k4.jpg");
  await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("Shift+ArrowRight");
  const bar = page.getByRole("toolbar", { name: "Selection" });
  await expect(bar).toContainText("3 of 4 selected");
  await expectFocusVisible(page, "the end of the range");

  // Delete asks first; Enter on "Move to trash" confirms.
  await page.keyboard.press("Delete");
  const dialog = page.getByRole("dialog", { name: "Move 3 images to the trash?" });
  await expect(dialog).toBeVisible();
  await expectFocusVisible(page, "Cancel");
  await tabTo(page, "Move to trash", (el) => el.name === "Move to trash");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("gallery-announcement")).toHaveText("Moved 3 images to the trash.");
  await expect(gallery.items()).toHaveCount(1);

  // Undo from the toast: Alt+T moves focus to the notifications, Tab reaches "Undo".
  await page.keyboard.press("Alt+t");
  await tabTo(page, "Undo", (el) => el.name === "Undo", { max: 6 });
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("gallery-announcement")).toHaveText("Restored 3 images.");
  await expect(gallery.items()).toHaveCount(4);

  // Into the trash and back: select one with Space, Delete, confirm, then restore it from the trash.
  await tabTo(page, "a photo", (el) => el.tile, { max: 60 });
  await page.keyboard.press("Home");
  await page.keyboard.press(" ");
  await expect(bar).toContainText("1 of 4 selected");
  await page.keyboard.press("Delete");
  await tabTo(page, "Move to trash", (el) => el.name === "Move to trash");
  await page.keyboard.press("Enter");
  await expect(gallery.items()).toHaveCount(3);
  await page.keyboard.press("Escape");

  await tabTo(page, "Trash in the nav", (el) => el.tag === "A" && el.name === "Trash", { back: true, max: 60 });
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/trash$/);
  await expect(page.getByTestId("trash-item")).toHaveCount(1);
  await tabTo(page, "the trashed photo", (el) => el.tile);
  await page.keyboard.press(" ");
  await expect(page.getByRole("toolbar", { name: "Selection" })).toContainText("1 of 1 selected");
  await tabTo(page, "Restore", (el) => el.name === "Restore", { back: true });
  await page.keyboard.press("Enter");
  await expect(page.getByText("Restored 1 image.")).toBeVisible();
  await expect(page.getByText("The trash is empty")).toBeVisible();
});
