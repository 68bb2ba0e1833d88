import { type Download, type Page, expect } from "@playwright/test";

/** The owner's side: albums, the share dialog and the list of links. */
export class AlbumsPage {
  constructor(private readonly page: Page) {}

  /** "Add to album" on the selection bar, into a new album. */
  async addSelectionToNewAlbum(title: string) {
    await this.page.getByRole("toolbar", { name: "Selection" }).getByRole("button", { name: "Add to album" }).click();
    const dialog = this.page.getByRole("dialog");
    await dialog.getByRole("radio", { name: "New album" }).check();
    await dialog.getByLabel("Album title").fill(title);
    await dialog.getByRole("button", { name: "Add to album" }).click();
    await expect(dialog).toBeHidden();
  }

  async open(title: string) {
    await this.page.goto("/albums");
    await this.page.getByRole("link", { name: new RegExp(title) }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  }

  /** "Share album" with the given options; answers the link. */
  async shareAlbum({ password }: { password?: string }): Promise<string> {
    await this.page.getByRole("button", { name: "Share album" }).click();
    const dialog = this.page.getByRole("dialog");
    await expect(dialog.getByLabel("Include location and camera data")).not.toBeChecked();
    await expect(dialog.getByLabel("Allow downloads")).toBeChecked();
    if (password) await dialog.getByLabel("Password", { exact: true }).fill(password);
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = dialog.getByLabel("Link");
    await expect(link).toHaveValue(/\/s\/[A-Za-z0-9_-]{32}$/);
    await expect(dialog.getByRole("button", { name: "Copy link" })).toBeVisible();
    const url = await link.inputValue();
    await dialog.getByRole("button", { name: "Done" }).click();
    return url;
  }

  async revoke(scope: string) {
    await this.page.goto("/shares");
    await this.page.getByRole("button", { name: `Revoke: ${scope}` }).click();
    await this.page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
    await expect(this.page.getByRole("status").filter({ hasText: "Link revoked." })).toBeVisible();
  }
}

/** A visitor's side of a share link. */
export class SharedLinkPage {
  constructor(private readonly page: Page) {}

  async unlock(password: string) {
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Open" }).click();
    await expect(this.page.getByRole("region", { name: "Shared photos" })).toBeVisible();
  }

  async downloadAll(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.page.getByRole("link", { name: "Download all" }).click()]);
    return download;
  }

  async expectNotFound() {
    await expect(this.page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
}
