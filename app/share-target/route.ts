/**
 * Where a share lands when no service worker took it (the very first share
 * right after installing, or a browser without one). The files are not read:
 * they may only reach the server through the normal encrypted upload. The
 * timeline says what happened and how to try again.
 */
export async function POST() {
  return new Response(null, { status: 303, headers: { Location: "/?shared=unavailable", "Cache-Control": "no-store" } });
}
