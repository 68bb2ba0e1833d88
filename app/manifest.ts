import type { MetadataRoute } from "next";

/** The web app manifest (/manifest.webmanifest): installable, with a share target for photos. */
export default function manifest(): MetadataRoute.Manifest {
  const sizes = [48, 72, 96, 128, 144, 152, 192, 256, 384, 512];
  return {
    id: "/",
    name: "Image Vault",
    short_name: "Image Vault",
    description: "A private, encrypted home for your photos.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#0c4a6e",
    theme_color: "#0369a1",
    categories: ["photo", "productivity"],
    icons: [
      ...sizes.map((size) => ({ src: `/icons/icon-${size}.png`, sizes: `${size}x${size}`, type: "image/png", purpose: "any" as const })),
      { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    // "Share → Image Vault" from a phone's gallery: the service worker receives this POST (public/sw.js).
    share_target: {
      action: "/share-target",
      method: "POST",
      enctype: "multipart/form-data",
      params: { title: "title", text: "text", files: [{ name: "photos", accept: ["image/*", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".heif", ".tif", ".tiff"] }] },
    },
  } as MetadataRoute.Manifest;
}
