import JSZip from "jszip";

import { makeJpeg, makePng } from "../lib/testing/fixtures";
import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";

test.describe("uploading a ZIP archive", () => {
  test("each image inside is uploaded on its own; folders, litter and other files are skipped", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    const zip = new JSZip();
    zip.file("beach.png", await makePng({ width: 120, height: 80 }));
    zip.file("dunes.png", await makePng({ width: 64, height: 64, alpha: true }));
    zip.folder("day 2")!.folder("evening")!.file("harbour.jpg", await makeJpeg({ width: 300, height: 200 }));
    zip.file("notes.txt", "packing list");
    zip.file("__MACOSX/._beach.png", Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]));
    const buffer = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });

    await page.getByLabel("Upload images").setInputFiles({ name: "trip.zip", mimeType: "application/zip", buffer });

    await gallery.expectUploadsSettled(3);
    for (const name of ["beach.png", "dunes.png", "harbour.jpg"]) {
      await expect(gallery.uploadRow(name)).toHaveAttribute("data-status", "done");
    }
    await expect(page.getByTestId("upload-row")).toHaveCount(3);
    await expect(gallery.uploadRow("notes.txt")).toHaveCount(0);
    await expect(gallery.uploadRow("trip.zip")).toHaveCount(0);
    await expect(page.getByTestId("upload-notice")).toHaveText(/trip\.zip: 3 images found/);
    await expect(page.getByText("Uploaded 3 images.")).toBeVisible();

    await expect(gallery.items()).toHaveCount(3);
    for (const name of ["beach.png", "dunes.png", "harbour.jpg"]) await expect(gallery.tile(name)).toBeVisible();
    await expect(gallery.tile("notes.txt")).toHaveCount(0);
  });

  test("an archive that cannot be opened, or holds no images, gets an error row and nothing is uploaded", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    const textOnly = new JSZip();
    textOnly.file("readme.txt", "no pictures here");
    await page.getByLabel("Upload images").setInputFiles([
      { name: "holiday.zip", mimeType: "application/zip", buffer: Buffer.from("PK\x03\x04 this is not really an archive") },
      { name: "text.zip", mimeType: "application/zip", buffer: await textOnly.generateAsync({ type: "nodebuffer" }) },
    ]);

    await gallery.expectUploadsSettled(2);
    await expect(gallery.uploadRow("holiday.zip")).toHaveAttribute("data-status", "error");
    await expect(gallery.uploadRow("holiday.zip")).toContainText("holiday.zip could not be opened as a ZIP archive.");
    await expect(gallery.uploadRow("text.zip")).toHaveAttribute("data-status", "error");
    await expect(gallery.uploadRow("text.zip")).toContainText(/no images found/i);
    await expect(page.getByText("No images yet")).toBeVisible();
  });
});
