import fs from "node:fs";

import type { APIResponse } from "@playwright/test";

import { makeJpeg, makePng } from "../lib/testing/fixtures";
import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";

/** A response's framing headers as the server sent them (Playwright keeps every raw header). */
function framing(res: APIResponse) {
  const headers = res.headersArray();
  const get = (name: string) => headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
  return { contentLength: get("content-length"), transferEncoding: get("transfer-encoding") };
}

test("originals and zips announce their exact size (Content-Length, not chunked)", async ({ page, user: _signedIn }) => {
  const gallery = new GalleryPage(page);
  const jpeg = await makeJpeg({ width: 640, height: 480 });
  const png = await makePng({ width: 90, height: 60 });
  await gallery.upload([
    { name: "sized.jpg", mimeType: "image/jpeg", buffer: jpeg },
    { name: "sized.png", mimeType: "image/png", buffer: png },
  ]);
  await gallery.expectUploadsSettled(2);

  // One original, as the browser downloads it.
  await page.getByRole("checkbox", { name: "Select sized.jpg" }).check();
  const single = await gallery.downloadSelected();
  expect(fs.statSync((await single.path())!).size).toBe(jpeg.length);
  const original = await page.request.get(single.url());
  expect(original.status()).toBe(200);
  expect(framing(original)).toEqual({ contentLength: [String(jpeg.length)], transferEncoding: [] });
  expect((await original.body()).length).toBe(jpeg.length);

  // A byte range states its own length.
  const part = await page.request.get(single.url(), { headers: { Range: "bytes=10-109" } });
  expect(part.status()).toBe(206);
  expect(framing(part)).toEqual({ contentLength: ["100"], transferEncoding: [] });
  expect(await part.body()).toEqual(jpeg.subarray(10, 110));

  // Both as a zip: the length lib/zip computes up front is the number of bytes sent.
  await page.getByRole("button", { name: "Select all" }).click();
  const zip = await gallery.downloadSelected();
  const zipBytes = fs.statSync((await zip.path())!).size;
  const again = await page.request.get(zip.url());
  expect(again.status()).toBe(200);
  expect(framing(again)).toEqual({ contentLength: [String(zipBytes)], transferEncoding: [] });
  expect((await again.body()).length).toBe(zipBytes);
});
