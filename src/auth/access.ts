// Access declared beside each handler: `{ access: "read" }` in a route's options, through the
// macro below (as PocketBase binds RequireSuperuserAuth() to its route groups). createApp refuses
// to start when a mounted route declares no level, so a new route cannot fall back to a default.
import { Elysia } from "elysia";
import { ACCESS_LEVELS, type Access, type GuardDeps, guardRoute } from "./guard.ts";

/** The macro's hook carries its level, so that the mounted routes can be checked and listed. */
type AccessHook = ((context: { request: Request; set: { headers: Record<string, string | number> } }) => void) & { access: Access };

/**
 * The `access` route option. Routes that are all public (the UI's files) may use it without deps;
 * any other level needs them to read credentials.
 */
export function accessControl(deps?: GuardDeps) {
  return new Elysia().macro({
    access: (level: Access) => {
      if (!ACCESS_LEVELS.includes(level)) throw new Error(`Unknown access level '${level}'`);
      if (level !== "public" && !deps) throw new Error(`Access level '${level}' needs the credential stores`);
      const hook: AccessHook = Object.assign(
        ({ request, set }: Parameters<AccessHook>[0]) => {
          if (level !== "public") guardRoute(deps!, level, request, set);
        },
        { access: level },
      );
      return { beforeHandle: hook };
    },
  });
}

interface MountedRoute {
  method: string;
  path: string;
  hooks?: unknown;
}

/** The level a mounted route declared (from its hooks, as Elysia's app.routes lists them); undefined for none. */
export function declaredAccess(route: MountedRoute): Access | undefined {
  const before = (route.hooks as { beforeHandle?: unknown } | undefined)?.beforeHandle;
  const hooks = Array.isArray(before) ? before : before ? [before] : [];
  for (const h of hooks as { fn?: Partial<AccessHook> }[]) {
    const fn = typeof h === "function" ? (h as Partial<AccessHook>) : h?.fn;
    if (fn?.access) return fn.access;
  }
  return undefined;
}

/** Throws, naming them, when mounted routes declare no access level. */
export function requireDeclaredAccess(routes: readonly MountedRoute[]): void {
  const missing = routes.filter((r) => declaredAccess(r) === undefined).map((r) => `${r.method} ${r.path}`);
  if (missing.length > 0) throw new Error(`Routes without an access level (add { access: ... } to their options): ${missing.join(", ")}`);
}
