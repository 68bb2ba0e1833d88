// Runs once when a server process starts (next start, next dev, each Vercel instance).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First, before any request is read: rate limits must see the real peer address.
  const { installPeerAddressStamp } = await import("@/lib/client-address");
  installPeerAddressStamp();
  // Downloads announce their size: Next 16.4 drops route handlers' Content-Length (lib/content-length).
  const { installContentLengthPassThrough } = await import("@/lib/content-length");
  installContentLengthPassThrough();
  const { startup } = await import("@/lib/startup");
  await startup();
}
