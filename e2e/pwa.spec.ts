import { makeJpeg } from "../lib/testing/fixtures";
import { expect, newCredentials, test } from "./fixtures";
import { LoginPage, RegisterPage } from "./pages/auth-pages";
import { GalleryPage } from "./pages/gallery-page";

type Manifest = {
  name: string;
  start_url: string;
  display: string;
  icons: { src: string; sizes: string; purpose?: string }[];
  share_target: { action: string; method: string; enctype: string; params: { files: { name: string }[] } };
};

test("installable: favicon, icons in every size (maskable too), a manifest with a share target", async ({ request }) => {
  const favicon = await request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect((await favicon.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));

  const res = await request.get("/manifest.webmanifest");
  expect(res.status()).toBe(200);
  const manifest = (await res.json()) as Manifest;
  expect(manifest).toMatchObject({ name: "Image Vault", start_url: "/", display: "standalone" });
  const sizes = manifest.icons.filter((i) => i.purpose !== "maskable").map((i) => i.sizes);
  for (const size of ["192x192", "512x512"]) expect(sizes).toContain(size);
  expect(manifest.icons.filter((i) => i.purpose === "maskable").map((i) => i.sizes).sort()).toEqual(["192x192", "512x512"]);
  for (const icon of [...manifest.icons, { src: "/apple-touch-icon.png" }]) {
    const r = await request.get(icon.src);
    expect(r.status(), icon.src).toBe(200);
    expect(r.headers()["content-type"], icon.src).toBe("image/png");
  }
  expect(manifest.share_target).toMatchObject({ action: "/share-target", method: "POST", enctype: "multipart/form-data" });
  expect(manifest.share_target.params.files[0].name).toBe("photos");
  expect((await request.get("/sw.js")).status()).toBe(200);
  expect((await request.get("/offline.html")).status()).toBe(200);
});

/** Submits a share to /share-target as the phone's share sheet does: a multipart POST navigation. */
async function share(page: import("@playwright/test").Page, files: { name: string; type: string; bytes: number[] }[]) {
  await page.evaluate((list) => {
    const form = document.createElement("form");
    form.method = "POST";
    form.action = "/share-target";
    form.enctype = "multipart/form-data";
    const input = document.createElement("input");
    input.type = "file";
    input.name = "photos";
    input.multiple = true;
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
    input.files = dt.files;
    form.append(input);
    document.body.append(form);
    form.submit();
  }, files);
}

test("the service worker shows an offline page, caches no private data, and receives shares (after sign-in if needed)", async ({ page, context, user }) => {
  test.setTimeout(120_000);
  const gallery = new GalleryPage(page);
  await gallery.upload([{ name: "private.jpg", mimeType: "image/jpeg", buffer: await makeJpeg({ width: 300, height: 200 }) }]);
  await gallery.expectUploadsSettled(1);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  await expect(gallery.tile("private.jpg")).toBeVisible();
  const [id] = await gallery.imageIds();
  await gallery.tile("private.jpg").click();
  await expect(page.getByRole("dialog", { name: "private.jpg" })).toBeVisible();
  await page.keyboard.press("Escape");

  // Nothing private in any cache: only the static shell.
  const cached = await page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) out.push(`${name} ${new URL(req.url).pathname}`);
    return out;
  });
  expect(cached.length).toBeGreaterThan(0);
  for (const entry of cached) {
    expect(entry).not.toContain("/api/");
    expect(entry).not.toContain(id);
    expect(entry).toMatch(/^shell-v1 \/(offline\.html|favicon\.ico|icons\/)/);
  }

  // Offline: a navigation shows the offline page instead of the browser's error.
  await context.setOffline(true);
  await page.goto("/trash").catch(() => {});
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await context.setOffline(false);
  await page.goto("/");

  // A share while signed in: the files wait on the device, then go up through the normal upload.
  const jpeg = [...(await makeJpeg({ width: 320, height: 240 }))];
  await share(page, [{ name: "shared from phone.jpg", type: "image/jpeg", bytes: jpeg }]);
  await expect(page).toHaveURL(/\/$/);
  await expect(gallery.tile("shared from phone.jpg")).toBeVisible({ timeout: 30_000 });

  // A share while signed out: sign in first, then it uploads.
  await page.getByRole("button", { name: /^Account: / }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await share(page, [{ name: "shared later.jpg", type: "image/jpeg", bytes: jpeg }]);
  await expect(page).toHaveURL(/\/login/);
  await new LoginPage(page).signIn(user.username, user.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(gallery.tile("shared later.jpg")).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(async () => (await (await caches.open("share-inbox")).keys()).length)).toBe(0);
});

test("a share that no service worker received says so instead of failing", async ({ browser }) => {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  await new RegisterPage(page).goto();
  await new RegisterPage(page).register(newCredentials("nosw"));
  await expect(page).toHaveURL(/\/$/);
  await share(page, [{ name: "x.jpg", type: "image/jpeg", bytes: [1, 2, 3] }]);
  await expect(page.getByText(/shared photos could not be received/)).toBeVisible();
  await context.close();
});
