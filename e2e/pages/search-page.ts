import { type Page, expect } from "@playwright/test";

/** The gallery's "Search images" box and its results. */
export class SearchPage {
  constructor(private readonly page: Page) {}

  box() {
    return this.page.getByRole("searchbox", { name: "Search images" });
  }

  async search(q: string) {
    await this.box().fill(q);
    await this.box().press("Enter");
    await expect(this.page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(q).replace(/%20/g, "\\+|%20")}`));
  }

  results() {
    return this.page.getByRole("region", { name: "Search results" }).getByTestId("gallery-item");
  }

  /** Reloads `/?q=` until `count` results show: analysis runs in the background after the upload. */
  async waitForResults(q: string, count: number) {
    await expect(async () => {
      await this.page.goto(`/?q=${encodeURIComponent(q)}`);
      await expect(this.results()).toHaveCount(count, { timeout: 2_000 });
    }).toPass({ timeout: 90_000, intervals: [1_000, 2_000, 3_000] });
  }
}
