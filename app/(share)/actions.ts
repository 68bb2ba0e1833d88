"use server";

import { cookies, headers } from "next/headers";

import { publicAction } from "@/lib/action";
import { clientAddress } from "@/lib/client-address";
import { unlockShareSchema } from "@/lib/schemas";
import { unlockShare } from "@/lib/share-visitors";

/** A share link's password: right, and the visitor gets a cookie for this link only (httpOnly, scoped to its path). */
export const unlockShareAction = publicAction({
  schema: unlockShareSchema,
  run: async ({ input }) => {
    const cookie = await unlockShare({ token: input.token, password: input.password, address: clientAddress({ headers: await headers() }) });
    (await cookies()).set(cookie.name, cookie.value, {
      path: cookie.path,
      maxAge: cookie.maxAge,
      httpOnly: true,
      sameSite: "lax",
      // Browsers accept Secure cookies from http://localhost too, so production can always ask for it.
      secure: process.env.NODE_ENV === "production",
    });
  },
});
