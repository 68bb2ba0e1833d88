import "server-only";

import net from "node:net";

/**
 * Who we are to a passkey: the WebAuthn relying party ID (a domain name the
 * passkey is bound to) and the page origins a browser may sign from.
 *
 * A passkey registered for one RP ID never works under another, so in
 * production the ID should be fixed by configuration rather than follow
 * whatever Host a request names:
 * 1. WEBAUTHN_ORIGIN (comma-separated origins), with WEBAUTHN_RP_ID, or the first origin's host;
 * 2. otherwise AUTH_URL, the public URL Auth.js already uses;
 * 3. otherwise the request's own host (what `next start` and `npm run dev` see).
 * The host fallback is safe for the signature check itself (an authenticator only
 * signs for the RP ID its passkey was made for), but a proxy that rewrites Host
 * would make passkeys stop working: set AUTH_URL or WEBAUTHN_ORIGIN there.
 */

export type RelyingParty = { id: string; name: string; origins: string[] };

const RP_NAME = "Image Vault";

function originOf(raw: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`${variable} must be a URL such as https://photos.example.com, got "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${variable} must be an http(s) URL, got "${raw}"`);
  return url;
}

/** An RP ID must be the origin's host or a parent domain of it (WebAuthn's rule, checked again by browsers). */
function hostMatches(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}

function fromRequest(headers: Headers): URL | null {
  // Auth.js trusts the same headers under AUTH_TRUST_HOST.
  const host = (headers.get("x-forwarded-host") ?? headers.get("host"))?.split(",")[0].trim();
  if (!host) return null;
  const forwardedProto = headers.get("x-forwarded-proto")?.split(",")[0].trim();
  const hostname = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const local = hostname === "localhost" || hostname.endsWith(".localhost") || net.isIP(hostname) !== 0;
  const proto = forwardedProto === "http" || forwardedProto === "https" ? forwardedProto : local ? "http" : "https";
  try {
    return new URL(`${proto}://${host}`);
  } catch {
    return null;
  }
}

export function relyingParty({ headers, env = process.env }: { headers: Headers; env?: NodeJS.ProcessEnv }): RelyingParty {
  const configured = env.WEBAUTHN_ORIGIN?.split(",").filter((s) => s.trim());
  const rpIdEnv = env.WEBAUTHN_RP_ID?.trim().toLowerCase() || undefined;
  let origins: URL[];
  if (configured?.length) origins = configured.map((o) => originOf(o, "WEBAUTHN_ORIGIN"));
  else if (env.AUTH_URL) origins = [originOf(env.AUTH_URL, "AUTH_URL")];
  else {
    const own = fromRequest(headers);
    if (!own) throw new Error("Cannot tell this site's origin for passkeys: set WEBAUTHN_ORIGIN or AUTH_URL.");
    origins = [own];
  }
  const id = rpIdEnv ?? origins[0].hostname;
  for (const o of origins) {
    if (!hostMatches(o.hostname, id)) throw new Error(`WEBAUTHN_RP_ID "${id}" is not ${o.origin}'s host or a parent domain of it.`);
  }
  return { id, name: RP_NAME, origins: origins.map((o) => o.origin) };
}
