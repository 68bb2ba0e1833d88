import AxeBuilder from "@axe-core/playwright";
import { type Page, expect } from "@playwright/test";

/** Runs axe (WCAG 2.1 A and AA rules) on the page as it is and fails on any serious or critical violation. */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1, 3).join(" ")}`).join("\n    ")}`);
  expect(bad, `axe on ${label}`).toEqual([]);
}

/** The focused element shows a focus indicator: an outline or a ring (box-shadow). */
export async function expectFocusVisible(page: Page, what: string) {
  const style = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2, ring: s.boxShadow !== "none", tag: el.tagName, text: el.getAttribute("aria-label") ?? el.textContent?.slice(0, 40) };
  });
  expect(style, `focus on ${what}`).not.toBeNull();
  expect(style!.outline || style!.ring, `visible focus on ${what} (${style!.tag} "${style!.text}")`).toBe(true);
}

/** Nothing is wider than the viewport. */
export async function expectNoHorizontalOverflow(page: Page, label: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `horizontal overflow on ${label}`).toBeLessThanOrEqual(innerWidth);
}
