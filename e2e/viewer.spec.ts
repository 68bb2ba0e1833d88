import { makeJpeg } from "../lib/testing/fixtures";
import { expect, newCredentials, test } from "./fixtures";
import { RegisterPage } from "./pages/auth-pages";
import { GalleryPage } from "./pages/gallery-page";

const photo = async (name: string, day: number) => ({
  name,
  mimeType: "image/jpeg",
  buffer: await makeJpeg({ width: 640, height: 420, exif: { DateTimeOriginal: `2025:03:${String(day).padStart(2, "0")} 12:00:00` } }),
});

test.describe("the viewer has a URL", () => {
  test("Back closes it (also after Trash → Photos), arrows and swipes move and preload, a reload shows the photo's page", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    await gallery.upload([await photo("v1.jpg", 1), await photo("v2.jpg", 2), await photo("v3.jpg", 3)]);
    await gallery.expectUploadsSettled(3);
    const [id3, id2, id1] = await gallery.imageIds();

    // The way the review went: Trash, then Photos, open a photo, Back.
    await page.getByRole("link", { name: "Trash" }).click();
    await expect(page).toHaveURL(/\/trash$/);
    await page.getByRole("link", { name: "Photos" }).click();
    await expect(page).toHaveURL(/\/$/);
    const previews: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/preview")) previews.push(r.url());
    });
    await gallery.tile("v2.jpg").click();
    await expect(page.getByRole("dialog", { name: "v2.jpg" })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/photo/${id2}$`));
    // Both neighbours are preloaded.
    await expect.poll(() => [id1, id3].every((id) => previews.some((u) => u.includes(id)))).toBe(true);
    await page.goBack();
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page).toHaveURL(/\/$/);
    await expect(gallery.tile("v2.jpg")).toBeFocused();

    // Arrows replace the URL (Back still closes), swipes move too.
    await gallery.tile("v3.jpg").click();
    await expect(page.getByRole("dialog", { name: "v3.jpg" })).toBeVisible();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("dialog", { name: "v2.jpg" })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/photo/${id2}$`));
    const stage = page.getByRole("dialog").getByRole("img");
    const box = (await stage.boundingBox())!;
    const swipe = async (dx: number) => {
      const y = box.y + box.height / 2;
      const x = box.x + box.width / 2;
      await stage.dispatchEvent("pointerdown", { pointerType: "touch", pointerId: 7, isPrimary: true, clientX: x, clientY: y, bubbles: true });
      await stage.dispatchEvent("pointerup", { pointerType: "touch", pointerId: 7, isPrimary: true, clientX: x + dx, clientY: y + 4, bubbles: true });
    };
    await swipe(-160);
    await expect(page.getByRole("dialog", { name: "v1.jpg" })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/photo/${id1}$`));
    await swipe(+160);
    await expect(page.getByRole("dialog", { name: "v2.jpg" })).toBeVisible();

    // A reload (or a shared link) shows the photo's own page.
    await page.reload();
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(page.getByRole("heading", { level: 1, name: "v2.jpg" })).toBeVisible();
    await expect(page.getByRole("img", { name: "v2.jpg" })).toBeVisible();
    await page.getByRole("button", { name: "Close" }).click();
    await expect(page).toHaveURL(/\/$/);

    await page.goBack();
    await page.goBack();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });

  test("a photo's own page walks the timeline with Previous, Next and the arrow keys, keeping its address", async ({ page, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    await gallery.upload([await photo("p1.jpg", 1), await photo("p2.jpg", 2), await photo("p3.jpg", 3)]);
    await gallery.expectUploadsSettled(3);
    const [id3, id2, id1] = await gallery.imageIds();

    await page.goto(`/photo/${id2}`);
    const title = (name: string) => page.getByRole("heading", { level: 1, name });
    await expect(title("p2.jpg")).toBeVisible();
    await page.getByRole("button", { name: "Next image" }).click();
    await expect(title("p1.jpg")).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/photo/${id1}$`));
    await expect(page.getByRole("dialog")).toHaveCount(0);
    // The oldest photo has nothing after it.
    await expect(page.getByRole("button", { name: "Next image" })).toBeDisabled();

    // Each step asks the server for the new photo's neighbours; the arrow works once they are there.
    const previous = page.getByRole("button", { name: "Previous image" });
    await expect(previous).toBeEnabled();
    await page.keyboard.press("ArrowLeft");
    await expect(title("p2.jpg")).toBeVisible();
    await expect(previous).toBeEnabled();
    await page.keyboard.press("ArrowLeft");
    await expect(title("p3.jpg")).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/photo/${id3}$`));
    await expect(page.getByRole("button", { name: "Previous image" })).toBeDisabled();
    await expect(page.getByRole("img", { name: "p3.jpg" })).toBeVisible();

    // The address is the photo's: a reload shows the same one.
    await page.reload();
    await expect(title("p3.jpg")).toBeVisible();
  });

  test("another user's photo id is a 404 page, and so is a made-up one", async ({ page, browser, user: _signedIn }) => {
    const gallery = new GalleryPage(page);
    await gallery.upload([await photo("mine.jpg", 5)]);
    await gallery.expectUploadsSettled(1);
    const [id] = await gallery.imageIds();
    const own = await page.goto(`/photo/${id}`);
    expect(own!.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "mine.jpg" })).toBeVisible();

    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const register = new RegisterPage(otherPage);
    await register.goto();
    await register.register(newCredentials("intruder"));
    await expect(otherPage).toHaveURL(/\/$/);
    const res = await otherPage.goto(`/photo/${id}`);
    expect(res!.status()).toBe(404);
    await expect(otherPage.getByText("Page not found")).toBeVisible();
    expect(await otherPage.content()).not.toContain("mine.jpg");
    expect((await otherPage.goto("/photo/00000000-0000-4000-8000-000000000000"))!.status()).toBe(404);
    expect((await otherPage.goto("/photo/not-an-id"))!.status()).toBe(404);
    await other.close();
  });
});
