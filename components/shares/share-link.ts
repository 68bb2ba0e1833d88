// A share link as people pass it on: the full address, and the clipboard.

/** A share's path (/s/…) as the address a visitor opens. */
export const fullUrl = (path: string) => new URL(path, window.location.origin).toString();

/** Copies the link's full address; false when the browser refuses (no permission, or a page that is not secure). */
export async function copyLink(link: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(fullUrl(link));
    return true;
  } catch {
    return false;
  }
}
