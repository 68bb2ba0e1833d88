import "server-only";

import { randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";

/**
 * The client's address for rate limits, and which forwarding headers to
 * believe (TRUST_PROXY in the README):
 *
 * - unset / "none": nothing the client sends is believed; the TCP peer is the
 *   client. `next start` passes a client's own `X-Forwarded-For` through
 *   untouched (it only fills the header in when it is missing), so the peer
 *   address is stamped onto each request by `installPeerAddressStamp()` under a
 *   per-process token that no client can forge.
 * - "vercel" (the default on Vercel): the platform's `x-vercel-forwarded-for`
 *   / `x-real-ip`, which Vercel overwrites at its edge.
 * - a number N: N proxies of ours sit in front; the client is the Nth address
 *   from the right of `X-Forwarded-For` plus the peer.
 * - a list of addresses or CIDRs: proxies at those addresses are skipped from
 *   the right; the first address outside the list is the client.
 */

const PEER_HEADER = "x-image-vault-peer";
const UNVERIFIED = "unverified";

type Stamp = { token: string; installed: boolean };
const stamp: Stamp = ((globalThis as { __imageVaultPeer?: Stamp }).__imageVaultPeer ??= {
  token: randomBytes(16).toString("hex"),
  installed: false,
});

function normalize(address: string): string {
  const a = address.trim();
  return a.startsWith("::ffff:") && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/**
 * Writes the TCP peer address into every incoming request, replacing any
 * header of that name the client sent. Called once from instrumentation, in
 * the process that owns the HTTP server.
 */
export function installPeerAddressStamp(): void {
  if (stamp.installed) return;
  stamp.installed = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_HEADER] = `${stamp.token} ${normalize(req.socket?.remoteAddress ?? "")}`;
    }
    return (emit as (this: http.Server, event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
}

type Policy = { kind: "none" } | { kind: "vercel" } | { kind: "hops"; hops: number } | { kind: "list"; list: net.BlockList };

function parsePolicy(raw: string | undefined): Policy {
  const value = (raw ?? (process.env.VERCEL ? "vercel" : "")).trim().toLowerCase();
  if (value === "" || value === "none" || value === "0" || value === "false") return { kind: "none" };
  if (value === "vercel") return { kind: "vercel" };
  if (/^[1-9]$/.test(value)) return { kind: "hops", hops: Number(value) };
  const list = new net.BlockList();
  for (const entry of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const type = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : null;
    if (!type) throw new Error(`TRUST_PROXY: "${entry}" is not an address, a CIDR, a hop count or "vercel"`);
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return { kind: "list", list };
}

let cached: { raw: string | undefined; policy: Policy } | undefined;
function policy(): Policy {
  const raw = process.env.TRUST_PROXY;
  if (!cached || cached.raw !== raw) cached = { raw, policy: parsePolicy(raw) };
  return cached.policy;
}

function peerOf(headers: Headers): string | null {
  const [token, address] = (headers.get(PEER_HEADER) ?? "").split(" ");
  return token === stamp.token && address ? address : null;
}

function isTrusted(list: net.BlockList, address: string): boolean {
  const type = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : null;
  return type !== null && list.check(address, type);
}

/**
 * The address to count attempts against. A request whose peer could not be
 * established shares one "unverified" bucket: a gap fails closed, never open.
 */
export function clientAddress({ headers }: { headers: Headers }): string {
  const p = policy();
  if (p.kind === "vercel") {
    const forwarded = headers.get("x-vercel-forwarded-for") ?? headers.get("x-real-ip") ?? headers.get("x-forwarded-for");
    return normalize(forwarded?.split(",")[0] ?? "") || UNVERIFIED;
  }
  const peer = peerOf(headers);
  if (!peer) return UNVERIFIED;
  if (p.kind === "none") return peer;
  const chain = [
    ...(headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map(normalize)
      .filter((a) => net.isIP(a)),
    peer,
  ];
  if (p.kind === "hops") return chain[Math.max(0, chain.length - 1 - p.hops)];
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!isTrusted(p.list, chain[i])) return chain[i];
  }
  return chain[0];
}
