import fs from "node:fs";
import path from "node:path";

import JSZip from "jszip";

import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";
import { SearchPage } from "./pages/search-page";

const photo = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "../lib/testing/photos", name));

test("uploads are analysed in the background; a label finds them, 'Select all' of the results downloads them as a zip, and the search survives a reload", async ({ page, user: _signedIn }) => {
  const gallery = new GalleryPage(page);
  const search = new SearchPage(page);
  await gallery.goto();
  await gallery.upload([
    { name: "astronaut-one.jpg", mimeType: "image/jpeg", buffer: photo("astronaut.jpg") },
    { name: "astronaut-two.jpg", mimeType: "image/jpeg", buffer: photo("astronaut.jpg") },
    { name: "breakfast.jpg", mimeType: "image/jpeg", buffer: photo("coffee.jpg") },
  ]);
  await gallery.expectUploadsSettled(3);
  // Fresh tiles wait for their characteristics.
  await expect(page.getByTestId("gallery-item").filter({ hasText: "Analysing…" }).first()).toBeVisible();
  // …and lose the badge by themselves once analysed, without a reload.
  await expect(page.getByTestId("gallery-item").filter({ hasText: "Analysing…" })).toHaveCount(0, { timeout: 120_000 });

  await search.waitForResults("person", 2);
  await gallery.goto();
  await search.search("person");
  await expect(search.results()).toHaveCount(2);
  await expect(page.getByRole("heading", { name: /Results for “person”/ })).toBeVisible();

  await page.reload();
  await expect(search.box()).toHaveValue("person");
  await expect(search.results()).toHaveCount(2);

  await page.getByRole("button", { name: "Select all" }).click();
  await expect(page.getByText("2 of 2 selected")).toBeVisible();
  const zip = await gallery.downloadSelected();
  const archive = await JSZip.loadAsync(fs.readFileSync((await zip.path())!));
  expect(Object.keys(archive.files).sort()).toEqual(["astronaut-one.jpg", "astronaut-two.jpg"]);

  // Several words must all match; nonsense finds nothing and breaks nothing.
  await search.search("person cup");
  await expect(page.getByRole("heading", { name: "No images match" })).toBeVisible();
  await search.search("%%% <script> ' \" ;");
  await expect(page.getByRole("heading", { name: "No images match" })).toBeVisible();

  // Back goes to the previous query.
  await page.goBack();
  await expect(search.box()).toHaveValue("person cup");
});

test("the viewer lists the characteristics; a label chip runs a search for it", async ({ page, user: _signedIn }) => {
  const gallery = new GalleryPage(page);
  const search = new SearchPage(page);
  await gallery.goto();
  await gallery.upload([{ name: "saucer.jpg", mimeType: "image/jpeg", buffer: photo("coffee.jpg") }]);
  await gallery.expectUploadsSettled(1);
  await search.waitForResults("cup", 1);
  await gallery.tile("saucer.jpg").click();
  const panel = page.getByRole("region", { name: "Characteristics" });
  await expect(panel).toBeVisible();
  await expect(panel.getByText("landscape")).toBeVisible();
  // nsfwjs looked at it, and a cup of coffee is not sensitive.
  await expect(panel.getByText("Not sensitive")).toBeVisible();
  await panel.getByRole("list", { name: "Labels" }).getByRole("link", { name: "cup" }).click();
  await expect(page).toHaveURL(/\?q=cup$/);
  await expect(search.results()).toHaveCount(1);
});

test("the same file twice says 'Already in your library'; the duplicates page keeps the largest and trashes the rest", async ({ page, user: _signedIn }) => {
  const gallery = new GalleryPage(page);
  const search = new SearchPage(page);
  await gallery.goto();
  const cat = photo("cat.jpg");
  await gallery.upload([{ name: "cat.jpg", mimeType: "image/jpeg", buffer: cat }]);
  await gallery.expectUploadsSettled(1);
  await expect(gallery.uploadRow("cat.jpg")).not.toContainText("Already in your library");
  await gallery.upload([{ name: "cat again.jpg", mimeType: "image/jpeg", buffer: cat }]);
  await expect(gallery.uploadRow("cat again.jpg")).toContainText("Already in your library", { timeout: 60_000 });
  const panel = page.getByRole("region", { name: "Uploads" });
  await panel.getByRole("button", { name: /Already in your library: see the list/ }).click();
  await expect(gallery.uploadRow("cat again.jpg").getByRole("link", { name: "View the copy" })).toHaveAttribute("href", /^\/photo\//);

  await search.waitForResults("ca", 2);
  // Both copies analysed: one group on the duplicates page.
  await expect(async () => {
    await page.goto("/duplicates");
    await expect(page.getByRole("list", { name: "Duplicate groups" }).getByRole("listitem", { name: /Group 1: 2 copies/ })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByRole("checkbox", { name: /^Keep cat/, checked: true })).toHaveCount(1);
  await page.getByRole("button", { name: "Move duplicates to trash" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Moved 1 duplicate to the trash." })).toBeVisible();
  await expect(page.getByText("No duplicates found.")).toBeVisible();

  // "Skip duplicates": the next identical upload stores nothing.
  await page.getByRole("checkbox", { name: /Skip duplicates/ }).check();
  await expect(page.getByRole("status").filter({ hasText: "Duplicates will be skipped" })).toBeVisible();
  await gallery.goto();
  await expect(gallery.items()).toHaveCount(1);
  await gallery.upload([{ name: "cat third.jpg", mimeType: "image/jpeg", buffer: cat }]);
  await expect(gallery.uploadRow("cat third.jpg")).toContainText("Already in your library (skipped)", { timeout: 60_000 });
  await expect(panel.getByRole("button", { name: /Already in your library: see the list/ })).toBeVisible();
  await expect(gallery.items()).toHaveCount(1);
});
