import { createHash, randomBytes } from "node:crypto";

import { Binary, MongoClient } from "mongodb";

import {
  htmlBytes,
  makeAvif,
  makeGif,
  makeJpeg,
  makePng,
  makeTiff,
  makeWebp,
  svgBytes,
  truncated,
} from "../lib/testing/fixtures";
import { expect, newCredentials, test } from "./fixtures";
import { GalleryPage, type UploadFile } from "./pages/gallery-page";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

test.describe("encrypted gallery", () => {
  test("upload one image, see it, open the viewer with details", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    await expect(page.getByText("No images yet")).toBeVisible();
    const jpeg = await makeJpeg({
      width: 1200,
      height: 800,
      exif: { Make: "Canon", Model: "EOS R5", DateTimeOriginal: "2024:06:01 10:20:30" },
    });
    await gallery.upload([{ name: "Sunset at the pier.jpg", mimeType: "image/jpeg", buffer: jpeg }]);
    await gallery.expectUploadsSettled(1);
    await expect(gallery.uploadRow("Sunset at the pier.jpg")).toHaveAttribute("data-status", "done");
    await expect(gallery.tile("Sunset at the pier.jpg")).toBeVisible();

    await gallery.tile("Sunset at the pier.jpg").click();
    const viewer = page.getByRole("dialog", { name: "Sunset at the pier.jpg" });
    await expect(viewer).toBeVisible();
    await expect(viewer.getByText("1200 × 800")).toBeVisible();
    await expect(viewer.getByText("Canon EOS R5")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(viewer).toBeHidden();

    // The original comes back byte for byte.
    const ids = await gallery.imageIds();
    const res = await page.request.get(`/api/images/${ids[0]}/original?download=1`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-disposition"]).toContain("attachment");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    expect(sha256(await res.body())).toBe(sha256(jpeg));
  });

  test("upload ten, valid and invalid mixed: each ends done or with its own error", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    const valid: UploadFile[] = [
      { name: "one.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 900, height: 600 }) },
      { name: "two.png", mimeType: "image/png", buffer: await makePng({ width: 500, height: 500 }) },
      { name: "three.gif", mimeType: "image/gif", buffer: await makeGif({ frames: 3 }) },
      { name: "four.webp", mimeType: "image/webp", buffer: await makeWebp({ width: 640, height: 480 }) },
      { name: "five.avif", mimeType: "image/avif", buffer: await makeAvif() },
      { name: "six.tiff", mimeType: "image/tiff", buffer: await makeTiff() },
      { name: "семь ✓.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 300, height: 900 }) },
    ];
    const invalid: UploadFile[] = [
      { name: "drawing.svg", mimeType: "image/svg+xml", buffer: svgBytes },
      { name: "page.jpg", mimeType: "image/jpeg", buffer: htmlBytes },
      { name: "broken.jpg", mimeType: "image/jpeg", buffer: truncated(await makeJpeg({ width: 1600, height: 1200 }), 0.4) },
    ];
    await gallery.upload([...valid.slice(0, 3), ...invalid, ...valid.slice(3)]);
    await expect(page.getByRole("progressbar", { name: "Overall upload progress" })).toBeVisible();
    await gallery.expectUploadsSettled(10);

    for (const f of valid) await expect(gallery.uploadRow(f.name)).toHaveAttribute("data-status", "done");
    for (const f of invalid) await expect(gallery.uploadRow(f.name)).toHaveAttribute("data-status", "error");
    await expect(gallery.uploadRow("drawing.svg")).toContainText(/not supported/i);
    await expect(gallery.uploadRow("broken.jpg")).toContainText(/damaged|incomplete/i);
    await expect(page.getByText("Uploaded 7 images; 3 failed.")).toBeVisible();

    await expect(gallery.items()).toHaveCount(7);
    for (const f of valid) await expect(gallery.tile(f.name)).toBeVisible();
    await page.screenshot({ path: "test-results/screens/dashboard-after-batch.png", fullPage: true });

    // A reload shows the same seven, from the server.
    await page.reload();
    await expect(gallery.items()).toHaveCount(7);
    await page.screenshot({ path: "test-results/screens/dashboard-gallery.png", fullPage: true });
  });

  test("other users and signed-out requests get 404 for every image URL", async ({ page, browser, user, dashboard, loginPage }) => {
    const gallery = new GalleryPage(page);
    await gallery.upload([{ name: "private.png", mimeType: "image/png", buffer: await makePng({ width: 64, height: 64 }) }]);
    await gallery.expectUploadsSettled(1);
    const [id] = await gallery.imageIds();
    const urls = [
      `/api/images/${id}`,
      `/api/images/${id}/thumb`,
      `/api/images/${id}/preview`,
      `/api/images/${id}/original`,
      `/api/images/${id}/original?download=1`,
    ];
    for (const url of urls) expect((await page.request.get(url)).status(), url).toBe(200);

    const anonymous = await browser.newContext();
    for (const url of urls) expect((await anonymous.request.get(url)).status(), url).toBe(404);
    await anonymous.close();

    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const creds = newCredentials("other");
    await otherPage.goto("/register");
    await otherPage.getByLabel("Username").fill(creds.username);
    await otherPage.getByLabel("Display name").fill(creds.displayName);
    await otherPage.getByLabel("Password", { exact: true }).fill(creds.password);
    await otherPage.getByLabel("Confirm password").fill(creds.password);
    await otherPage.getByRole("button", { name: "Create account" }).click();
    await expect(otherPage.getByTestId("display-name")).toHaveText(creds.displayName);
    for (const url of urls) {
      const res = await otherPage.request.get(url);
      expect(res.status(), url).toBe(404);
      expect(await res.text()).not.toContain("private.png");
    }
    await expect(otherPage.getByText("No images yet")).toBeVisible();
    await other.close();

    // Still there after signing out and in again.
    await dashboard.signOut();
    await loginPage.signIn(user.username, user.password);
    await expect(gallery.tile("private.png")).toBeVisible();
  });
});

test.describe("serving originals", () => {
  test("ranges, ETag revalidation and the viewer's arrow keys", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    const big = await noisyPng(400, 300);
    await gallery.upload([
      { name: "first.png", mimeType: "image/png", buffer: await makePng({ width: 60, height: 40 }) },
      { name: "second.png", mimeType: "image/png", buffer: big },
    ]);
    await gallery.expectUploadsSettled(2);
    const id = await idOf(gallery, "second.png");
    const url = `/api/images/${id}/original`;

    const ranged = await page.request.get(url, { headers: { Range: "bytes=65530-65545" } });
    expect(ranged.status()).toBe(206);
    expect(ranged.headers()["content-range"]).toBe(`bytes 65530-65545/${big.length}`);
    expect((await ranged.body()).equals(big.subarray(65530, 65546))).toBe(true);
    expect((await page.request.get(url, { headers: { Range: `bytes=${big.length}-` } })).status()).toBe(416);

    const full = await page.request.get(url);
    const etag = full.headers()["etag"];
    expect(full.headers()["cache-control"]).toContain("private");
    expect(full.headers()["accept-ranges"]).toBe("bytes");
    expect((await page.request.get(url, { headers: { "If-None-Match": etag } })).status()).toBe(304);

    // Viewer: arrow keys move between images.
    await gallery.tile("second.png").click();
    await expect(page.getByRole("dialog", { name: "second.png" })).toBeVisible();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("dialog", { name: "first.png" })).toBeVisible();
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByRole("dialog", { name: "second.png" })).toBeVisible();
    await page.keyboard.press("Escape");
  });

  test("a tampered chunk makes the response fail instead of ending cleanly", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    const big = await noisyPng(500, 400);
    await gallery.upload([{ name: "tamper-me.png", mimeType: "image/png", buffer: big }]);
    await gallery.expectUploadsSettled(1);
    const id = await idOf(gallery, "tamper-me.png");

    const client = new MongoClient(process.env.MONGODB_URI!);
    try {
      const db = client.db();
      const image = await db.collection("images").findOne({ _id: id as never });
      const fileId = image!.blobs.original.fileId;
      // A flipped byte in the middle of the file: headers are sent, then the stream must break.
      const chunk = await db.collection("fs.chunks").findOne({ files_id: fileId, n: 2 });
      const data = Buffer.from(chunk!.data.buffer);
      data[10] ^= 0xff;
      await db.collection("fs.chunks").updateOne({ _id: chunk!._id }, { $set: { data: new Binary(data) } });
      const failed = await page.request.get(`/api/images/${id}/original`).then(
        async (res) => ({ ok: true, length: (await res.body()).length }),
        () => ({ ok: false, length: 0 }),
      );
      expect(failed).toEqual({ ok: false, length: 0 });

      // A flipped byte in the first chunk: nothing is sent but an error status.
      const first = await db.collection("fs.chunks").findOne({ files_id: fileId, n: 0 });
      const d0 = Buffer.from(first!.data.buffer);
      d0[5] ^= 0xff;
      await db.collection("fs.chunks").updateOne({ _id: first!._id }, { $set: { data: new Binary(d0) } });
      const res = await page.request.get(`/api/images/${id}/original`);
      expect(res.status()).toBe(500);
      expect(await res.text()).not.toMatch(/Mongo|chunk|aes|gcm/i);
    } finally {
      await client.close();
    }
  });
});

async function noisyPng(width: number, height: number): Promise<Buffer> {
  const sharp = (await import("sharp")).default;
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function idOf(gallery: GalleryPage, name: string): Promise<string> {
  const src = await gallery.tile(name).locator("img").getAttribute("src");
  return /\/api\/images\/([^/]+)\//.exec(src ?? "")![1];
}
