// Who is calling, and may they use a route of this access level? Every route declares its level
// (access.ts); authorize decides, for HTTP routes and the websocket alike. Two kinds of credential:
// API keys (Authorization: Bearer, checked first) and the admin UI's session cookie.
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { clientOf, secureCookies } from "./client-address.ts";
import { bearerToken } from "./keys.ts";
import type { Role, ServiceAccountStore } from "./service-accounts.ts";
import { readCookie, SESSION_COOKIE, sessionCookie, type SessionStore } from "./sessions.ts";
import type { UserRole } from "./users.ts";

export type Principal =
  | { kind: "service_account"; id: string; name: string; role: Role }
  | { kind: "user"; id: string; email: string; role: UserRole; sessionId: string; expires: number; renewed: boolean };

export interface GuardDeps {
  config: Pick<Config, "baseUrl">;
  serviceAccounts: ServiceAccountStore;
  sessions: SessionStore;
  clock: { now(): number };
}

/** The caller, from an API key or else a session cookie; null when neither is valid. */
export function principalOf(deps: GuardDeps, request: Request): Principal | null {
  const token = bearerToken(request.headers.get("authorization"));
  if (token) {
    const account = deps.serviceAccounts.authenticate(token);
    return account ? { kind: "service_account", id: account.id, name: account.name, role: account.role } : null;
  }
  const cookie = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  if (!cookie) return null;
  const s = deps.sessions.authenticate(cookie);
  if (!s) return null;
  return {
    kind: "user",
    id: s.user.id,
    email: s.user.email,
    role: s.user.role,
    sessionId: s.sessionId,
    expires: s.expires,
    renewed: s.renewed,
  };
}

/**
 * Who may call a route, declared beside each handler (see access.ts): `public` (anyone; the route
 * checks what it needs itself), `read` (admins and viewers), `write` (admins: changes), `admin`
 * (admins only, even to read). Webhook-role keys may only send webhooks, never use the API.
 */
export type Access = "public" | "read" | "write" | "admin";
export const ACCESS_LEVELS: readonly Access[] = ["public", "read", "write", "admin"];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A websocket upgrade is a GET, but it opens a channel both ways: it gets the CSRF check (CSWSH). */
const isSafe = (request: Request) => SAFE_METHODS.has(request.method) && request.headers.get("upgrade")?.toLowerCase() !== "websocket";

/** An origin (scheme, host and port, RFC 6454) as the URL parser normalizes it; null for none. */
function originOf(text: string): string | null {
  try {
    const origin = new URL(text).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/**
 * CSRF defence for cookie-authenticated requests (OWASP "verifying origin with standard headers"):
 * the Origin header, or failing that the Referer, must be this server's origin, scheme, host and port
 * alike: either the request's own (the scheme it arrived with and its Host) or the configured base
 * URL's. A browser always sends one of them on a cross-site POST. Behind a proxy that terminates TLS
 * or rewrites Host, the base URL is the public origin.
 */
export function isSameOrigin(config: Pick<Config, "baseUrl">, request: Request): boolean {
  const source = request.headers.get("origin") ?? request.headers.get("referer");
  const origin = source ? originOf(source) : null;
  if (!origin) return false;
  const url = new URL(request.url);
  // Behind a trusted proxy that ends TLS, the browser's origin is https although this hop is not.
  const scheme = clientOf(request).proto === "https" ? "https:" : url.protocol;
  const own = originOf(`${scheme}//${request.headers.get("host") ?? url.host}`);
  return origin === own || origin === originOf(config.baseUrl);
}

/**
 * Throws unless the caller may use a route of this access level; returns who it is (null for a
 * public route, which reads no credentials). HTTP routes (access.ts) and the websocket's auth step
 * both decide here.
 */
export function authorize(deps: GuardDeps, level: Access, request: Request): Principal | null {
  if (level === "public") return null;
  const principal = principalOf(deps, request);
  if (!principal) throw new AppError("unauthorized", "A valid API key is required (Authorization: Bearer <key>)");
  if (principal.role === "webhook") throw new AppError("forbidden", "This key may only be used to send webhooks");
  if (principal.kind === "user" && !isSafe(request) && !isSameOrigin(deps.config, request)) {
    throw new AppError("forbidden", "Cross-site request refused (Origin does not match this server)");
  }
  if (principal.role === "viewer") {
    if (level === "admin") throw new AppError("forbidden", "Only admins may do that");
    if (level === "write") throw new AppError("forbidden", "Viewers may only read");
  }
  return principal;
}

const admitted = new WeakMap<Request, Principal>();

/** Who the guard let make this request (routes shape answers by role); undefined on public routes. */
export const callerOf = (request: Request): Principal | undefined => admitted.get(request);

/** authorize as an Elysia hook: remembers the caller, and re-sends the cookie when the session was extended. */
export function guardRoute(deps: GuardDeps, level: Access, request: Request, set: { headers: Record<string, string | number> }): void {
  const principal = authorize(deps, level, request);
  if (!principal) return;
  admitted.set(request, principal);
  if (principal.kind === "user" && principal.renewed) {
    const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE)!;
    set.headers["set-cookie"] = sessionCookie(token, principal.expires, deps.clock.now(), secureCookies(deps.config.baseUrl, request));
  }
}
