import "server-only";

import type { z } from "zod";

import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http";
import { keysReady } from "@/lib/key-maintenance";
import { routeUserId } from "@/lib/session";

// Every route handler runs the same steps in the same order, like the server
// actions in lib/action.ts: session (for authed routes), then zod on the path
// params and the query string, then one call into lib/, and any throw becomes
// a typed JSON error from lib/http.ts. Nothing else in app/api catches.

type RouteContext = { params: Promise<Record<string, string | string[]>> };

type Parsed<P extends z.ZodType | undefined, Q extends z.ZodType | undefined> = {
  request: Request;
  params: P extends z.ZodType ? z.output<P> : Record<string, never>;
  query: Q extends z.ZodType ? z.output<Q> : Record<string, never>;
};

type Schemas<P, Q> = {
  /** Path params; a mismatch is 404, as for an id that does not exist. */
  params?: P;
  /** The query string; a mismatch is 400. */
  query?: Q;
};

async function parse<P extends z.ZodType | undefined, Q extends z.ZodType | undefined>(
  schemas: Schemas<P, Q>,
  request: Request,
  ctx: RouteContext | undefined,
): Promise<Parsed<P, Q>> {
  let params: unknown = {};
  if (schemas.params) {
    const result = schemas.params.safeParse((await ctx?.params) ?? {});
    if (!result.success) throw new AppError("not_found");
    params = result.data;
  }
  let query: unknown = {};
  if (schemas.query) {
    const result = schemas.query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!result.success) throw new AppError("invalid_input");
    query = result.data;
  }
  return { request, params, query } as Parsed<P, Q>;
}

/** A handler for the signed-in owner; signed-out requests get the same 404 as a missing thing. */
export function authedRoute<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  schemas: Schemas<P, Q>,
  handler: (input: Parsed<P, Q> & { ownerId: string }) => Promise<Response>,
) {
  return async (request: Request, ctx?: RouteContext): Promise<Response> => {
    try {
      const ownerId = await routeUserId();
      if (!ownerId) throw new AppError("unauthorized");
      await keysReady();
      return await handler({ ...(await parse(schemas, request, ctx)), ownerId });
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** A handler anyone may call (share links, cron with its own secret): same parsing and errors, no session. */
export function publicRoute<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  schemas: Schemas<P, Q>,
  handler: (input: Parsed<P, Q>) => Promise<Response>,
) {
  return async (request: Request, ctx?: RouteContext): Promise<Response> => {
    try {
      await keysReady();
      return await handler(await parse(schemas, request, ctx));
    } catch (err) {
      return errorResponse(err);
    }
  };
}
