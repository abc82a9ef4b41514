// The first look at every request, before routing has any effect: which host and path it is for,
// whether this server answers it, and the headers its answer carries.
//
// One path for routing and the log. Elysia's router reads the path out of request.url
// by a fixed offset: by default it looks for the first "/" from index 11 on, which assumes a host of
// at least four characters ("http://a.bc"). With a shorter Host ("nas"), "/hooks/<slug>" routed as
// "/<slug>" and "/xx/api/users" as "/api/users", while the log read the real path. createApp sets
// Elysia's `handler.standardHostname: false`, which searches from index 7, right after "http://";
// that holds for any non-empty host because an authority never contains "/". Bun builds request.url
// from the Host header, and leaves it relative (just the path) when the header is missing or not
// usable, so such requests are refused here; so is any request whose routed path is not its own
// (an "https://" URL would be one: Inlet serves plain HTTP, with TLS ended by a proxy).
import type { Config } from "../config.ts";
import { AppError, errorResponse, hookResponse } from "../errors.ts";
import { isAllowedHost, parseHost, type Host } from "./host.ts";

const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** The path of a request URL, as sent (not decoded or normalized), without the query. */
export function requestPath(url: string): string {
  const rest = url.slice(AUTHORITY.exec(url)?.[0].length ?? 0);
  const query = rest.indexOf("?");
  return (query === -1 ? rest : rest.slice(0, query)) || "/";
}

/** The host a request is for: its Host header, or the URL's when there is none (requests made in-process). */
export function requestHost(request: Request): Host | null {
  if (!/^https?:\/\//.test(request.url)) return null;
  const header = request.headers.get("host");
  return parseHost(header ?? new URL(request.url).host);
}

export const isHookPath = (path: string) => path === "/hooks" || path.startsWith("/hooks/");
export const isApiPath = (path: string) => path === "/api" || path.startsWith("/api/");

const trimSlashes = (path: string) => path.replace(/\/+$/, "") || "/";

/**
 * Paths any host name may reach. Hooks: senders address them by whatever name reaches this server
 * (an internal name, an address, a tunnel's or a proxy's name), and a hook is authorized by its
 * secret slug or key, never by a browser's cookie, so a rebound page gains nothing a direct sender
 * lacks. Health and readiness: probes (a container orchestrator's) send the address as Host, and they reveal nothing.
 */
const anyHost = (path: string) => isHookPath(path) || ["/api/health", "/api/ready"].includes(trimSlashes(path));

/**
 * Why this request must not go further, or null. `routedPath` is the path Elysia routes on; it must
 * be the request's own (Elysia may report a static route's path with a trailing slash).
 */
export function edgeRefusal(config: Pick<Config, "baseUrl" | "allowedHosts">, request: Request, routedPath: string): AppError | null {
  const path = requestPath(request.url);
  const host = requestHost(request);
  if (!host) return new AppError("invalid_host");
  if (trimSlashes(routedPath) !== trimSlashes(path)) return new AppError("bad_request", "The request path could not be read");
  if (!anyHost(path) && !isAllowedHost(host.hostname, config.baseUrl, config.allowedHosts)) {
    return new AppError("host_not_allowed", `This server does not answer for "${host.hostname}"; add it with --allowed-hosts if it should`);
  }
  return null;
}

/** A refusal as the path's area answers: hooks stay quiet (status only), everything else says why. */
export function refusalResponse(request: Request, err: AppError): Response {
  return isHookPath(requestPath(request.url)) ? hookResponse(err.code) : errorResponse(err);
}

const API_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
const UI_HEADERS = { "x-content-type-options": "nosniff" };

/**
 * Headers for the answer. API answers (keys, events, users) must not be stored by a browser or a
 * proxy cache, and no answer but a hook's may be content-sniffed into something it is not.
 */
export function edgeHeaders(path: string): Record<string, string> | null {
  if (isApiPath(path)) return API_HEADERS;
  return isHookPath(path) ? null : UI_HEADERS;
}
