import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { makeJpeg } from "../lib/testing/fixtures";
import { exiftoolTags, revealing } from "../lib/testing/exiftool";
import { expectAccessible } from "./a11y";
import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";
import { AlbumsPage, SharedLinkPage } from "./pages/share-pages";

const EXIF = { Make: "Acme", Model: "Snapper 9", DateTimeOriginal: "2024:05:06 07:08:09", gps: { latitude: 48.8584, longitude: 2.2945 } };

function unzipAll(file: string): Record<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-share-"));
  try {
    execFileSync("unzip", ["-q", file, "-d", dir]);
    return Object.fromEntries(fs.readdirSync(dir).map((n) => [n, fs.readFileSync(path.join(dir, n))]));
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

test("an album shared with a password: a fresh visitor unlocks it, downloads a clean zip, and revoke ends it", async ({ page, user, browser }) => {
  test.setTimeout(180_000);
  const gallery = new GalleryPage(page);
  const albums = new AlbumsPage(page);
  const photos = await Promise.all(
    ["tower.jpg", "river.jpg"].map(async (name, i) => ({ name, mimeType: "image/jpeg", buffer: await makeJpeg({ width: 320 + i, height: 240, exif: EXIF }) })),
  );
  await gallery.upload(photos);
  await gallery.expectUploadsSettled(2);

  await page.getByRole("button", { name: "Select all" }).click();
  await albums.addSelectionToNewAlbum("Paris trip");
  await albums.open("Paris trip");
  await expect(gallery.items()).toHaveCount(2);
  await expectAccessible(page, "album page");
  const url = await albums.shareAlbum({ password: "open sesame" });

  // A visitor with no account and no cookies.
  const visitorContext = await browser.newContext({ acceptDownloads: true });
  const visitor = await visitorContext.newPage();
  const shared = new SharedLinkPage(visitor);
  await visitor.goto(url);
  await expect(visitor.getByRole("img")).toHaveCount(0);
  await expectAccessible(visitor, "share link password form");
  // Derived URLs demand the password too.
  expect((await visitor.request.get(`${url}/zip`)).status()).toBe(404);
  await shared.unlock("open sesame");
  await expect(visitor.getByRole("heading", { level: 1, name: "Paris trip" })).toBeVisible();
  await expect(visitor.getByTestId("gallery-item")).toHaveCount(2);
  await expectAccessible(visitor, "shared album");

  // Nothing about the owner in the HTML or the RSC payload.
  for (const body of [await (await visitor.request.get(url)).text(), await (await visitor.request.get(url, { headers: { RSC: "1" } })).text()]) {
    expect(body).not.toContain(user.username);
    expect(body).not.toContain(user.displayName);
    expect(body).not.toMatch(/\/api\/images\//);
  }

  const zip = await shared.downloadAll();
  const entries = unzipAll((await zip.path())!);
  expect(Object.keys(entries).sort()).toEqual(["river.jpg", "tower.jpg"]);
  for (const [name, bytes] of Object.entries(entries)) {
    const original = photos.find((p) => p.name === name)!.buffer;
    // Same image data, less the metadata.
    expect(bytes.length).toBeLessThan(original.length);
    expect(revealing(exiftoolTags(bytes))).toEqual([]);
  }
  const zipResponse = await visitor.request.get(`${url}/zip`);
  expect(zipResponse.headers()["cache-control"]).toBe("private, no-store");
  const thumb = await visitor.locator('[data-testid="gallery-item"] img').first().getAttribute("src");
  expect(thumb).toMatch(/^\/s\/[A-Za-z0-9_-]{32}\/i\/[A-Za-z0-9_-]{22}\/thumb$/);
  expect((await visitor.request.get(thumb!)).status()).toBe(200);

  await page.goto("/albums");
  await expectAccessible(page, "albums");
  await albums.revoke("Paris trip");
  await expectAccessible(page, "shared links");
  await visitor.reload();
  await shared.expectNotFound();
  expect((await visitor.request.get(thumb!)).status()).toBe(404);
  expect((await visitor.request.get(`${url}/zip`)).status()).toBe(404);
  await visitorContext.close();
});
