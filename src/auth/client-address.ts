// The address a request comes from, for sign-in throttling and logs. It is the socket's peer: a
// header such as X-Forwarded-For is written by whoever sends the request, so it is believed only
// when the peer is a proxy this server was told to trust. None is, by default.

export interface PeerSource {
  requestIP(request: Request): { address: string } | null;
}

/** No proxy is trusted: every client is its socket's address. */
export const NO_TRUSTED_PROXIES: ReadonlySet<string> = new Set();

/** "::ffff:192.0.2.1" (an IPv4 client of a dual-stack socket) is 192.0.2.1. */
const plain = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");

export function clientAddress(
  server: PeerSource | null | undefined,
  request: Request,
  trustedProxies: ReadonlySet<string> = NO_TRUSTED_PROXIES,
): string {
  const peer = server?.requestIP(request)?.address;
  if (!peer) return "unknown";
  let address = plain(peer);
  if (!trustedProxies.has(address)) return address;
  // Each proxy appends the address it received the request from, so the client is the last entry
  // that is not one of our proxies; the entries before it are the client's own claims.
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => plain(hop.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0 && trustedProxies.has(address); i--) address = hops[i]!;
  return address;
}
