// Shapes of share links that cross to the browser. No secrets and no internal
// ids: a visitor's items carry per-share opaque ids only.

export type ExpiryChoice = "never" | "1" | "7" | "30" | "date";

/** One image as a visitor sees it. */
export type SharedItem = {
  /** Opaque, valid only inside this share. */
  id: string;
  name: string;
  width: number;
  height: number;
  mime: string;
};

export type SharedPage = { items: SharedItem[]; nextOffset: number | null; total: number };

export type SharedView = {
  title: string;
  description: string;
  displayName: string | null;
  allowDownload: boolean;
  page: SharedPage;
};

/** A link as its owner sees it on /shares. */
export type ShareSummary = {
  id: string;
  /** The album's title, or "N images" for a shared selection. */
  scope: string;
  kind: "album" | "selection";
  url: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  expired: boolean;
  hasPassword: boolean;
  allowDownload: boolean;
  includeMeta: boolean;
  hideNames: boolean;
  views: number;
  downloads: number;
};

export const sharedUrl = (token: string, itemId: string, variant: "thumb" | "preview" | "original", opts: { download?: boolean } = {}) =>
  `/s/${encodeURIComponent(token)}/i/${encodeURIComponent(itemId)}/${variant}${opts.download ? "?download=1" : ""}`;
