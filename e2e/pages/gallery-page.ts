import { type Download, type Page, expect } from "@playwright/test";

export type UploadFile = { name: string; mimeType: string; buffer: Buffer };

export class GalleryPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto("/");
  }

  async upload(files: UploadFile[]) {
    await this.page.getByLabel("Upload images").setInputFiles(files);
  }

  uploadRow(name: string) {
    return this.page.getByTestId("upload-row").filter({ hasText: name });
  }

  async expectUploadsSettled(count: number) {
    await expect(this.page.locator('[data-testid="upload-row"][data-status="done"], [data-testid="upload-row"][data-status="error"]')).toHaveCount(
      count,
      { timeout: 90_000 },
    );
  }

  items() {
    return this.page.getByTestId("gallery-item");
  }

  /** Clicks "Download selected" and waits for the browser's download (one original, or the zip). */
  async downloadSelected(): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent("download"),
      this.page.getByRole("button", { name: "Download selected" }).click(),
    ]);
    return download;
  }

  /** A photo of the timeline: a link to its page, which opens the viewer over the timeline. */
  tile(name: string) {
    return this.page.getByRole("link", { name: new RegExp(`Open ${escapeRegExp(name)}`) });
  }

  /** File names in the order the gallery shows them, read from each tile's "Select …" checkbox. */
  async names(): Promise<string[]> {
    const labels = await this.items().getByRole("checkbox").evaluateAll((boxes) => boxes.map((box) => box.getAttribute("aria-label") ?? ""));
    return labels.map((label) => label.replace(/^Select /, ""));
  }

  /** Image ids of what the gallery currently shows, read from the thumbnail URLs. */
  async imageIds(): Promise<string[]> {
    const srcs = await this.page.locator('[data-testid="gallery-item"] img').evaluateAll((imgs) =>
      imgs.map((img) => (img as HTMLImageElement).getAttribute("src") ?? ""),
    );
    return srcs.map((src) => /\/api\/images\/([^/]+)\//.exec(src)?.[1] ?? "").filter(Boolean);
  }
}

export function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
