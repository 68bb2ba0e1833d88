import NextAuth from "next-auth";

import { authConfig } from "@/lib/auth-config";

// Optimistic redirects only, from the cookie alone; every page, action and route re-checks with auth().
const { auth } = NextAuth(authConfig);

export { auth as proxy };

// Public files need no session: icons, the manifest, the service worker and its
// offline page, and the share target (which a signed-out phone may post to).
export const config = {
  matcher: [
    "/((?!api|_next/static|_next/image|favicon.ico|s/|icons/|apple-touch-icon.png|manifest.webmanifest|sw.js|offline.html|share-target).*)",
  ],
};
