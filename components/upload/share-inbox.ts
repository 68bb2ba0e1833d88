// Files shared to the app from another one (the Web Share Target). The
// service worker (public/sw.js) receives the share's POST, keeps the files in
// this Cache Storage bucket on the device, and sends the browser to "/"; the
// timeline takes them from here and uploads them through the normal encrypted
// path. Nothing here is ever sent to the server except by that upload.

export const SHARE_CACHE = "share-inbox";

/** Takes every shared file out of the inbox (oldest share first). */
export async function takeSharedFiles(): Promise<File[]> {
  if (typeof caches === "undefined") return [];
  if (!(await caches.has(SHARE_CACHE))) return [];
  const cache = await caches.open(SHARE_CACHE);
  const files: File[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    await cache.delete(request);
    if (!response) continue;
    const blob = await response.blob();
    const name = decodeURIComponent(response.headers.get("x-file-name") ?? "") || "shared image";
    files.push(new File([blob], name, { type: blob.type || response.headers.get("content-type") || "", lastModified: Number(response.headers.get("x-last-modified")) || Date.now() }));
  }
  return files;
}
