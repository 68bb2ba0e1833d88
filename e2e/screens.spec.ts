import { makeJpeg, makePng } from "../lib/testing/fixtures";
import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";

// Screenshots of every page, kept in test-results/screens/ for people to look at.
test("a tour of the pages, with screenshots", async ({ page, user, dashboard }) => {
  const shot = (name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
  const gallery = new GalleryPage(page);
  await gallery.upload([
    { name: "harbour at dusk.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 1600, height: 1000, exif: { Make: "Fujifilm", Model: "X-T5", DateTimeOriginal: "2025:08:14 19:02:11" } }) },
    { name: "portrait.png", mimeType: "image/png", buffer: await makePng({ width: 600, height: 900 }) },
    { name: "square.png", mimeType: "image/png", buffer: await makePng({ width: 500, height: 500, colors: ["#1e3a8a", "#f59e0b", "#10b981"] }) },
  ]);
  await gallery.expectUploadsSettled(3);
  await shot("dashboard-uploads");

  await page.getByRole("checkbox", { name: "Select portrait.png" }).check();
  await page.getByRole("checkbox", { name: "Select square.png" }).check();
  await shot("dashboard-selection");
  await page.getByRole("button", { name: "Delete selected" }).click();
  await expect(page.getByRole("dialog", { name: "Move 2 images to the trash?" })).toBeVisible();
  await shot("delete-dialog");
  await page.getByRole("button", { name: "Cancel" }).click();

  await gallery.tile("harbour at dusk.jpg").click();
  await expect(page.getByRole("dialog", { name: "harbour at dusk.jpg" }).getByText("Fujifilm X-T5")).toBeVisible();
  await shot("viewer");
  await page.keyboard.press("Escape");

  await page.goto("/settings");
  await shot("settings");
  await dashboard.signOut();
  await shot("login");
  await page.goto("/register");
  await shot("register");
  expect(user).toBeTruthy();
});
