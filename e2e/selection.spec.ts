import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";

import { makeJpeg, makePng } from "../lib/testing/fixtures";
import { expect, test } from "./fixtures";
import { GalleryPage, type UploadFile } from "./pages/gallery-page";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function makeFiles(count: number): Promise<UploadFile[]> {
  const files: UploadFile[] = [];
  for (let i = 0; i < count; i++) {
    files.push({ name: `img-${String(i).padStart(2, "0")}.png`, mimeType: "image/png", buffer: await makePng({ width: 40 + i, height: 30 }) });
  }
  return files;
}

/** Reads a zip with Python's zipfile (an independent implementation): name → SHA-256. */
function readZip(file: string): Record<string, string> {
  const out = execFileSync("python3", [
    "-c",
    "import sys,zipfile,hashlib,json;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(json.dumps({i.filename:hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))",
    file,
  ]);
  return JSON.parse(out.toString());
}

test.describe("select, delete, restore, download", () => {
  test("select one, many with shift-click, and all (more than one page); delete with cancel and confirm; restore; delete forever", async ({
    page,
    user: _signedIn,
  }) => {
    const gallery = new GalleryPage(page);
    const files = await makeFiles(12);
    await gallery.upload(files);
    await gallery.expectUploadsSettled(12);
    // Start from the server's view, 8 per page, and keep page 2 from loading (infinite scroll
    // would fetch it at once): "all" must then include images the browser never saw.
    await page.route("**/api/images?cursor=*", (route) => route.abort());
    await page.reload();
    await expect(gallery.items()).toHaveCount(8);
    const bar = page.getByRole("toolbar", { name: "Selection" });
    await expect(bar).toContainText("12 images");

    // One, then a range with Shift: the first tile to the fourth, in the order shown (files upload
    // three at a time, so the timeline's order is the order they finished, not their names').
    const shown = await gallery.names();
    await page.getByRole("checkbox", { name: `Select ${shown[0]}` }).check();
    await expect(bar).toContainText("1 of 12 selected");
    await page.getByRole("checkbox", { name: `Select ${shown[3]}` }).click({ modifiers: ["Shift"] });
    await expect(bar).toContainText("4 of 12 selected");
    await page.getByRole("button", { name: "Clear selection" }).click();
    await expect(bar).toContainText("12 images");

    // Cancel keeps everything.
    await page.getByRole("checkbox", { name: "Select img-11.png" }).check();
    await page.getByRole("button", { name: "Delete selected" }).click();
    const dialog = page.getByRole("dialog", { name: "Move 1 image to the trash?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(gallery.tile("img-11.png")).toBeVisible();

    // Confirm moves it to the trash.
    await page.getByRole("button", { name: "Delete selected" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Move to trash" }).click();
    await expect(page.getByTestId("gallery-announcement")).toHaveText("Moved 1 image to the trash.");
    await expect(gallery.tile("img-11.png")).toHaveCount(0);

    // Select all covers the 11 left, loaded or not.
    await page.getByRole("button", { name: "Select all" }).click();
    await expect(bar).toContainText("11 of 11 selected");
    await page.getByRole("checkbox", { name: "Select img-10.png" }).uncheck();
    await expect(bar).toContainText("10 of 11 selected");
    await page.getByRole("button", { name: "Delete selected" }).click();
    await page.getByRole("dialog", { name: "Move 10 images to the trash?" }).getByRole("button", { name: "Move to trash" }).click();
    await expect(page.getByTestId("gallery-announcement")).toHaveText("Moved 10 images to the trash.");
    await page.unroute("**/api/images?cursor=*");
    await page.reload();
    await expect(gallery.items()).toHaveCount(1);
    await expect(gallery.tile("img-10.png")).toBeVisible();

    // Trash: restore one, delete one forever, empty the rest.
    await page.getByRole("link", { name: "Trash" }).click();
    await expect(page.getByTestId("trash-item")).toHaveCount(8);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(page.getByTestId("trash-item")).toHaveCount(11);
    await page.getByRole("checkbox", { name: "Select img-00.png" }).check();
    await page.getByRole("button", { name: "Restore" }).click();
    await expect(page.getByText("Restored 1 image.")).toBeVisible();
    await page.getByRole("checkbox", { name: "Select img-01.png" }).check();
    await page.getByRole("button", { name: "Delete forever" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete forever" }).click();
    await expect(page.getByText("Deleted 1 image forever.")).toBeVisible();
    await page.getByRole("button", { name: "Empty trash" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Empty trash" }).click();
    await expect(page.getByText("Deleted 9 images forever.")).toBeVisible();
    await expect(page.getByText("The trash is empty")).toBeVisible();
    await page.screenshot({ path: "test-results/screens/trash-empty.png", fullPage: true });

    await page.goto("/");
    await expect(gallery.items()).toHaveCount(2);
  });

  test("Select all, delete in steps with progress, then Undo brings every one back, unloaded pages included", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    await gallery.upload(await makeFiles(12));
    await gallery.expectUploadsSettled(12);
    // Page 2 never loads: Undo must restore images this browser never saw.
    await page.route("**/api/images?cursor=*", (route) => route.abort());
    await page.reload();
    await expect(gallery.items()).toHaveCount(8);
    const bar = page.getByRole("toolbar", { name: "Selection" });

    await page.getByRole("button", { name: "Select all" }).click();
    await expect(bar).toContainText("12 of 12 selected");
    await page.getByRole("button", { name: "Delete selected" }).click();
    // BULK_STEP is 5 under test: three steps, all one batch.
    await page.getByRole("dialog", { name: "Move 12 images to the trash?" }).getByRole("button", { name: "Move to trash" }).click();
    await expect(page.getByTestId("gallery-announcement")).toHaveText("Moved 12 images to the trash.");
    await expect(gallery.items()).toHaveCount(0);

    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByTestId("gallery-announcement")).toHaveText("Restored 12 images.");
    await page.unroute("**/api/images?cursor=*");
    await page.reload();
    await expect(bar).toContainText("12 images");
    await page.getByRole("link", { name: "Trash" }).click();
    await expect(page.getByText("The trash is empty")).toBeVisible();
  });

  test("download one original and a selection as a streamed zip", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    const files: UploadFile[] = [
      { name: "Ünïcødé photo.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 320, height: 200 }) },
      { name: "same.png", mimeType: "image/png", buffer: await makePng({ width: 20, height: 20, colors: ["#ff0000"] }) },
      { name: "same.png", mimeType: "image/png", buffer: await makePng({ width: 21, height: 20, colors: ["#00ff00"] }) },
    ];
    await gallery.upload(files);
    await gallery.expectUploadsSettled(3);

    // One image: the original bytes under the original name.
    await page.getByRole("checkbox", { name: "Select Ünïcødé photo.jpg" }).check();
    const [single] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download selected" }).click()]);
    expect(single.suggestedFilename()).toBe("Ünïcødé photo.jpg");
    expect(sha256(fs.readFileSync((await single.path())!))).toBe(sha256(files[0].buffer));

    // All three as a zip: names de-duplicated, bytes identical.
    await page.getByRole("button", { name: "Select all" }).click();
    const [zip] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download selected" }).click()]);
    expect(zip.suggestedFilename()).toMatch(/^images-\d{4}-\d{2}-\d{2}\.zip$/);
    const entries = readZip((await zip.path())!);
    expect(Object.keys(entries).sort()).toEqual(["same (1).png", "same.png", "Ünïcødé photo.jpg"].sort());
    expect(Object.values(entries).sort()).toEqual(files.map((f) => sha256(f.buffer)).sort());
  });

  test("the viewer's Delete asks first, then the image is gone (404)", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    await gallery.upload([{ name: "viewer-delete.png", mimeType: "image/png", buffer: await makePng({ width: 50, height: 50 }) }]);
    await gallery.expectUploadsSettled(1);
    const [id] = await gallery.imageIds();
    await gallery.tile("viewer-delete.png").click();
    await page.getByRole("dialog", { name: "viewer-delete.png" }).getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog", { name: "Move 1 image to the trash?" }).getByRole("button", { name: "Move to trash" }).click();
    await expect(gallery.tile("viewer-delete.png")).toHaveCount(0);
    expect((await page.request.get(`/api/images/${id}/original`)).status()).toBe(404);
    // A second delete of the same image ends cleanly.
  });
});
