// Who a request comes from: its address (for logs, the per-address request cap, sign-in and probe
// throttling) and the scheme it used (for the cookie's Secure flag). Both are the socket's own unless
// the peer is a proxy this server was told to trust (--trusted-proxies); a header such as
// X-Forwarded-For is written by whoever sends the request, so from anyone else it means nothing.
//
// Behind trusted proxies, each proxy appends the address it received the request from, so the
// client is the right-most address of the chain that is not a trusted proxy; entries left of it are
// the client's own claims. X-Forwarded-For is read when present (Caddy, nginx, Traefik and HAProxy
// set it), else Forwarded (RFC 7239): preferring Forwarded would believe one a client sent through a
// proxy that only appends X-Forwarded-For.
import { CidrList, parseAddress } from "../http/cidr.ts";

export interface PeerSource {
  requestIP(request: Request): { address: string } | null;
}

export interface Client {
  /** An IP address, or "unknown" (no socket: app.handle; or a proxy that hid it). */
  address: string;
  /** The scheme the client used: https only when a trusted proxy says so. */
  proto: "http" | "https";
}

/** "::ffff:192.0.2.1" (an IPv4 client of a dual-stack socket) is 192.0.2.1. */
const plain = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");

/** A Forwarded `for=` node (RFC 7239 §6): "192.0.2.1", "192.0.2.1:80", "[2001:db8::1]:80", "unknown", "_hidden". */
function forwardedNode(value: string): string {
  let node = value.trim();
  if (node.startsWith('"') && node.endsWith('"') && node.length >= 2) node = node.slice(1, -1);
  if (node.startsWith("[")) node = node.slice(1, node.indexOf("]") === -1 ? undefined : node.indexOf("]"));
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(node)) node = node.slice(0, node.indexOf(":"));
  return parseAddress(node) ? plain(node) : "unknown";
}

/** The Forwarded header's elements as [for, proto] pairs, in order. */
function forwardedElements(header: string): { for?: string; proto?: string }[] {
  return header.split(",").map((element) => {
    const pairs: { for?: string; proto?: string } = {};
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq === -1) continue;
      const name = pair.slice(0, eq).trim().toLowerCase();
      const value = pair.slice(eq + 1).trim();
      if (name === "for") pairs.for = forwardedNode(value);
      if (name === "proto") pairs.proto = value.replace(/^"|"$/g, "").toLowerCase();
    }
    return pairs;
  });
}

const lastOf = (header: string | null) => header?.split(",").pop()?.trim().toLowerCase();

/** Who sent a request that arrived from `peer` with these headers, trusting only `trusted` peers. */
export function resolveClient(peer: string | undefined, headers: Headers, trusted: CidrList = CidrList.EMPTY): Client {
  if (!peer) return { address: "unknown", proto: "http" };
  const address = plain(peer);
  if (!trusted.has(address)) return { address, proto: "http" };
  const xff = headers.get("x-forwarded-for");
  const forwarded = xff === null ? headers.get("forwarded") : null;
  const elements = forwarded ? forwardedElements(forwarded) : [];
  const hops = xff !== null ? xff.split(",").map((hop) => forwardedNode(hop)) : elements.map((e) => e.for ?? "unknown");
  let client = address;
  for (let i = hops.length - 1; i >= 0 && trusted.has(client); i--) client = hops[i]!;
  // The scheme as the nearest proxy saw it.
  const proto = xff !== null || !forwarded ? lastOf(headers.get("x-forwarded-proto")) : elements.at(-1)?.proto;
  return { address: client, proto: proto === "https" ? "https" : "http" };
}

const identified = new WeakMap<Request, Client>();

/** Records who sent the request; the server's first step (request-limits.ts), before any other. */
export function identifyClient(request: Request, server: PeerSource | null | undefined, trusted: CidrList): Client {
  const client = resolveClient(server?.requestIP(request)?.address, request.headers, trusted);
  identified.set(request, client);
  return client;
}

/** Who sent the request: as identified on arrival, else (app.handle) the socket's peer, no proxy believed. */
export function clientOf(request: Request, server?: PeerSource | null): Client {
  return identified.get(request) ?? resolveClient(server?.requestIP(request)?.address, request.headers);
}

/** The address alone (sign-in throttling, logs). */
export function clientAddress(server: PeerSource | null | undefined, request: Request): string {
  return clientOf(request, server).address;
}

/** Cookies are Secure when the public URL is https, or the client reached a trusted proxy over https. */
export function secureCookies(baseUrl: string, request: Request): boolean {
  return baseUrl.startsWith("https:") || clientOf(request).proto === "https";
}
