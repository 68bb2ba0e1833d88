import { makeJpeg, svgBytes } from "../lib/testing/fixtures";
import { expect, test } from "./fixtures";
import { GalleryPage } from "./pages/gallery-page";
import { samplePhotos } from "./photos";

const monthName = (d: Date) => new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" }).format(d);

test("the timeline groups by date taken, keeps shapes, jumps with the scrubber (?from=), and previews beside a tile", async ({ page, user: _signedIn }) => {
  test.setTimeout(120_000);
  const gallery = new GalleryPage(page);
  const uploadedAt = new Date();
  // Four more in August 2025, so that the first page (8 on the e2e server) ends inside August.
  const extras = await Promise.all(
    [1, 2, 3, 4].map(async (i) => ({
      name: `extra ${i}.jpg`,
      mimeType: "image/jpeg",
      buffer: await makeJpeg({ width: 500 + 60 * i, height: 400, exif: { DateTimeOriginal: `2025:08:10 1${i}:00:00` } }),
    })),
  );
  await gallery.upload([...(await samplePhotos()), ...extras]);
  await gallery.expectUploadsSettled(11);
  // A clean batch: the upload chip closes by itself.
  await expect(page.getByTestId("upload-panel")).toHaveCount(0, { timeout: 15_000 });

  // Months newest first by date taken (the screenshot has none: its upload time), then days.
  const months = page.getByRole("heading", { level: 2 });
  await expect(months).toHaveText([monthName(uploadedAt), "August 2025", "December 2024", "July 2019"]);
  await expect(page.getByRole("heading", { level: 3, name: "Thu, Aug 14, 2025" })).toBeVisible();
  const order = await page.getByTestId("gallery-item").getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("aria-label")));
  // (The grid is virtualised: rows far below the window are not in the page yet.)
  expect(order.length).toBeGreaterThanOrEqual(8);
  expect(order).toEqual(
    [
    "Open screenshot.png",
    "Open harbour at dusk.jpg",
    "Open lighthouse.jpg",
    "Open extra 4.jpg",
    "Open extra 3.jpg",
    "Open extra 2.jpg",
    "Open extra 1.jpg",
    "Open market.jpg",
    "Open panorama.jpg",
    "Open snow.jpg",
    "Open first day.jpg",
    ].slice(0, order.length),
  );
  // No filename captions: the photos are the content. A panorama keeps its shape.
  await expect(page.getByText("harbour at dusk.jpg", { exact: true })).toHaveCount(0);
  const pano = (await gallery.tile("panorama.jpg").boundingBox())!;
  expect(pano.width / pano.height).toBeGreaterThan(4.5);
  const tall = (await gallery.tile("lighthouse.jpg").boundingBox())!;
  expect(tall.width / tall.height).toBeCloseTo(800 / 1200, 1);

  // Hover preview: beside the tile, over none of its neighbours, inside the window.
  await gallery.tile("lighthouse.jpg").hover();
  const preview = page.getByTestId("hover-preview");
  await expect(preview).toBeVisible();
  const geometry = await page.evaluate(() => {
    const rect = (el: Element) => el.getBoundingClientRect().toJSON() as DOMRect;
    const tiles = [...document.querySelectorAll("[data-tile-id]")].map((el) => ({ label: el.getAttribute("aria-label"), r: rect(el) }));
    return { tiles, preview: rect(document.querySelector('[data-testid="hover-preview"]')!), vw: document.documentElement.clientWidth, vh: window.innerHeight };
  });
  const hovered = geometry.tiles.find((t) => t.label === "Open lighthouse.jpg")!.r;
  // Neighbours: the tiles beside it, and those of the rows above and below (across a day header).
  const near = geometry.tiles.filter(
    (t) => t.r.left < hovered.right + 48 && hovered.left - 48 < t.r.right && t.r.top < hovered.bottom + 48 && hovered.top - 48 < t.r.bottom,
  );
  expect(near.map((t) => t.label)).toEqual(expect.arrayContaining(["Open harbour at dusk.jpg", "Open lighthouse.jpg"]));
  const p = geometry.preview;
  for (const t of near) {
    const overlaps = p.left < t.r.right && t.r.left < p.right && p.top < t.r.bottom && t.r.top < p.bottom;
    expect(overlaps, `preview over ${t.label}`).toBe(false);
  }
  expect(p.left).toBeGreaterThanOrEqual(0);
  expect(p.top).toBeGreaterThanOrEqual(0);
  expect(p.right).toBeLessThanOrEqual(geometry.vw);
  expect(p.bottom).toBeLessThanOrEqual(geometry.vh);
  await page.mouse.move(0, 0);
  await expect(preview).toHaveCount(0);

  // The scrubber jumps to a month that was never loaded: pages by cursor are blocked,
  // so July 2019 can only come from ?from=2019-07.
  await page.route("**/api/images?cursor=*", (route) => route.abort());
  const fromRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("from=")) fromRequests.push(r.url());
  });
  await page.reload();
  await expect(gallery.items().first()).toBeVisible();
  const scrubber = page.getByRole("slider", { name: "Jump to month" });
  await expect(scrubber).toHaveAttribute("aria-valuetext", monthName(uploadedAt));
  await scrubber.focus();
  await page.keyboard.press("End");
  await expect(scrubber).toHaveAttribute("aria-valuetext", "July 2019");
  await expect(gallery.tile("first day.jpg")).toBeInViewport();
  expect(fromRequests.some((u) => u.includes("from=2019-07"))).toBe(true);
  await page.unroute("**/api/images?cursor=*");

  // A failed upload turns the chip red with a count, and it stays.
  await gallery.upload([{ name: "drawing.svg", mimeType: "image/svg+xml", buffer: svgBytes }]);
  const panel = page.getByTestId("upload-panel");
  await expect(panel).toHaveAttribute("data-state", "error");
  await expect(panel).toContainText("1 upload failed");
  await page.waitForTimeout(7_000);
  await expect(panel).toBeVisible();
});
