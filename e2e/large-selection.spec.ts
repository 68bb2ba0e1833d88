import { randomUUID } from "node:crypto";

import { MAX_SELECTION_IDS, packSelection } from "../lib/selection-wire";
import { makePng } from "../lib/testing/fixtures";
import { callAction } from "./actions";
import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";

const file = "app/(gallery)/actions.ts";
const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());

// The UI cannot select 50,000 images in a test, so the selection the gallery would send
// (lib/selection-wire's packSelection, what components/gallery/timeline-view.tsx calls) is posted to the
// real actions of `next start` the way the browser posts it.
test("a 50,000-id selection goes through the real actions: trash, restore, zip", async ({ page, user: _signedIn }) => {
  test.setTimeout(180_000);
  const gallery = new GalleryPage(page);
  await gallery.upload(
    await Promise.all([0, 1, 2].map(async (i) => ({ name: `many-${i}.png`, mimeType: "image/png", buffer: await makePng({ width: 30 + i, height: 20 }) }))),
  );
  await gallery.expectUploadsSettled(3);
  await page.reload();
  const real = await gallery.imageIds();
  expect(real).toHaveLength(3);
  const selection = packSelection({ ids: [...uuids(49_997), ...real] });

  const trashed = await callAction(page, { file, name: "trashImagesAction", input: { selection } });
  expect(trashed).toEqual({ status: 200, state: expect.objectContaining({ status: "success", data: expect.objectContaining({ done: 3, more: false }) }) });
  await page.reload();
  await expect(gallery.items()).toHaveCount(0);

  const restored = await callAction(page, { file, name: "restoreImagesAction", input: { selection } });
  expect(restored).toEqual({ status: 200, state: expect.objectContaining({ status: "success", data: expect.objectContaining({ done: 3, more: false }) }) });

  const zipped = await callAction(page, { file, name: "createZipDownloadAction", input: { selection } });
  expect(zipped.state).toMatchObject({ status: "success", data: { count: 3 } });
  const url = (zipped.state as { data: { url: string } }).data.url;
  const zip = await page.request.get(url);
  expect(zip.status()).toBe(200);
  expect((await zip.body()).length).toBe(Number(zip.headers()["content-length"]));

  // The schema's limit is the real one: the most it allows goes through, one more is refused cleanly.
  const most = await callAction(page, { file, name: "createZipDownloadAction", input: { selection: packSelection({ ids: [...uuids(MAX_SELECTION_IDS - 3), ...real] }) } });
  expect(most.state).toMatchObject({ status: "success", data: { count: 3 } });
  const over = await callAction(page, { file, name: "createZipDownloadAction", input: { selection: packSelection({ ids: uuids(MAX_SELECTION_IDS + 1) }) } });
  expect(over).toEqual({ status: 200, state: expect.objectContaining({ status: "error", code: "invalid_input" }) });
  await page.reload();
  await expect(gallery.items()).toHaveCount(3);
});
