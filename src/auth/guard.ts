// Who is calling the management API. Every /api route except health goes through apiGuard.
import { AppError } from "../errors.ts";
import { bearerToken } from "./keys.ts";
import type { Role, ServiceAccountStore } from "./service-accounts.ts";

export type Principal = { kind: "service_account"; id: string; name: string; role: Role };

export interface GuardDeps {
  serviceAccounts: ServiceAccountStore;
}

export function principalOf(deps: GuardDeps, request: Request): Principal | null {
  const token = bearerToken(request.headers.get("authorization"));
  if (!token) return null;
  const account = deps.serviceAccounts.authenticate(token);
  return account ? { kind: "service_account", id: account.id, name: account.name, role: account.role } : null;
}

/** Throws unless the request carries an admin credential. */
export function requireAdmin(deps: GuardDeps, request: Request): Principal {
  const principal = principalOf(deps, request);
  if (!principal) throw new AppError("unauthorized", "A valid API key is required (Authorization: Bearer <key>)");
  if (principal.role !== "admin") throw new AppError("forbidden", "This key may only be used to send webhooks");
  return principal;
}
