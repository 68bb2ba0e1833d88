import NextAuth from "next-auth";

import { authConfig } from "@/lib/auth-config";

// Optimistic redirects only, from the cookie alone; every page, action and route re-checks with auth().
const { auth } = NextAuth(authConfig);

export { auth as proxy };

export const config = {
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|s/).*)"],
};
