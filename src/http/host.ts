// Host header values: their syntax (RFC 9110 §7.2: Host = uri-host [ ":" port ], with uri-host as
// RFC 3986 §3.2.2 defines it) and which host names this server answers for.
import { isIPv6 } from "node:net";

export interface Host {
  /** Lowercased, without a trailing dot; an IPv6 address keeps its brackets, as URL.hostname does. */
  hostname: string;
  port: number | null;
}

// reg-name = *( unreserved / pct-encoded / sub-delims ); an IPv4 address is a reg-name too. An "http"
// URI must not have an empty host (RFC 9110 §4.2.1), so at least one character. IPvFuture literals
// are refused: no client sends them.
const HOST = /^(?:\[([0-9A-Fa-f:.]+)\]|((?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+))(?::(\d*))?$/;

/** A Host header value as host and port, or null when it is not one (RFC 9112 §3.2 answers 400). */
export function parseHost(value: string): Host | null {
  const m = HOST.exec(value);
  if (!m) return null;
  const [, ipv6, name, portText] = m;
  if (ipv6 !== undefined && !isIPv6(ipv6)) return null;
  // RFC 3986 allows an empty port ("nas:"), meaning the scheme's default.
  const port = portText ? Number(portText) : null;
  if (port !== null && port > 65535) return null;
  const hostname = ipv6 !== undefined ? `[${ipv6.toLowerCase()}]` : name!.toLowerCase().replace(/\.$/, "");
  return hostname === "" ? null : { hostname, port };
}

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Names that always mean this machine: `localhost` and its subdomains (RFC 6761 §6.3: browsers resolve
 * them to loopback themselves, so DNS cannot rebind them), 127.0.0.0/8 and ::1.
 */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || IPV4_LOOPBACK.test(hostname) || hostname === "[::1]";
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * An address typed as such (`192.168.1.5`, `[fd00::1]`). DNS rebinding needs a name the attacker
 * controls: a browser only sends an address as Host when the user typed the address, so addresses
 * are safe to serve, and a NAS reached at its LAN address works without configuration.
 */
export const isAddress = (hostname: string): boolean => IPV4.test(hostname) || hostname.startsWith("[");

/**
 * Whether requests for this host name are served: the base URL's host, loopback names, addresses and
 * the configured extra names. A page on another name that reaches this server (DNS rebinding: a
 * hostile domain re-pointed at a LAN or loopback address) is refused.
 */
export function isAllowedHost(hostname: string, baseUrl: string, extra: readonly string[]): boolean {
  return hostname === baseHostname(baseUrl) || isLoopback(hostname) || isAddress(hostname) || extra.includes(hostname);
}

// The base URL is fixed once the server listens; parsing it once per value, not per request.
let base = { url: "", hostname: "" };
function baseHostname(url: string): string {
  if (base.url !== url) base = { url, hostname: new URL(url).hostname.replace(/\.$/, "") };
  return base.hostname;
}
