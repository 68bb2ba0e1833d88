// Image Vault's service worker. It does three things and no more:
//  1. keeps a tiny app shell for offline use: the offline page and the icons
//     (public, static files; never a page with data in it);
//  2. shows that offline page when a navigation fails for lack of a network;
//  3. receives "Share → Image Vault" (the manifest's share_target POST), keeps
//     the shared files on the device in the "share-inbox" cache, and sends the
//     browser to the timeline, which uploads them through the normal encrypted
//     path (after sign-in if needed) and empties the inbox.
// It never caches API responses, pages, or private image bytes: every request
// other than a navigation or the share is left to the browser untouched.

const SHELL = "shell-v1";
const SHARE_CACHE = "share-inbox";
const SHELL_FILES = ["/offline.html", "/favicon.ico", "/icons/icon-128.png", "/icons/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL && name !== SHARE_CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function receiveShare(request) {
  try {
    const form = await request.formData();
    const files = form.getAll("photos").filter((value) => typeof value === "object" && value !== null && "size" in value && value.size > 0);
    const cache = await caches.open(SHARE_CACHE);
    const batch = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await Promise.all(
      files.map((file, i) =>
        cache.put(
          new Request(`/share-inbox/${batch}/${i}`),
          new Response(file, {
            headers: {
              "content-type": file.type || "application/octet-stream",
              "x-file-name": encodeURIComponent(file.name || `shared-${i + 1}`),
              "x-last-modified": String(file.lastModified || Date.now()),
            },
          }),
        ),
      ),
    );
    return Response.redirect(`/?shared=${files.length}`, 303);
  } catch {
    return Response.redirect("/?shared=failed", 303);
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.method === "POST" && url.pathname === "/share-target") {
    event.respondWith(receiveShare(request));
    return;
  }

  // Page loads go to the network as usual; only when it cannot be reached is the offline page shown.
  if (request.mode === "navigate" && request.method === "GET" && !url.pathname.startsWith("/api/")) {
    event.respondWith(
      fetch(request).catch(async () => (await caches.match("/offline.html", { cacheName: SHELL })) ?? Response.error()),
    );
  }
  // Everything else (API, images, scripts) is not touched: no respondWith, no cache.
});
