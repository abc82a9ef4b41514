// The credentials a long-lived connection (the event stream, the websocket feed) was opened with.
// A connection outlives the request that authorized it, so it checks them again: on every
// revocation (a key deleted or rotated, a user deleted or changed, a session signed out), at each
// heartbeat (which also catches changes made by another process, such as
// `inlet service-account delete`), and before an event goes out past a session's expiry.
import { bearerToken } from "./keys.ts";
import type { ServiceAccountStore } from "./service-accounts.ts";
import { readCookie, SESSION_COOKIE, type SessionStore } from "./sessions.ts";
import type { UserStore } from "./users.ts";

export const REVOKED_MESSAGE = "The credentials are no longer valid";

export interface CredentialStores {
  serviceAccounts: ServiceAccountStore;
  users: UserStore;
  sessions: SessionStore;
  clock: { now(): number };
}

export class StreamCredentials {
  private readonly key: string | null;
  private readonly cookie: string | null;
  private expires = Infinity;

  constructor(
    private readonly stores: CredentialStores,
    request: Request,
  ) {
    // As the guard reads them: an API key first, else the session cookie.
    this.key = bearerToken(request.headers.get("authorization"));
    this.cookie = this.key ? null : readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  }

  /** Whether they still allow reading events. Never renews the session: a connection left open is not a use of it. */
  valid(): boolean {
    if (this.key) return this.stores.serviceAccounts.authenticate(this.key)?.role === "admin";
    const session = this.cookie ? this.stores.sessions.authenticate(this.cookie, { renew: false }) : null;
    this.expires = session?.expires ?? -Infinity;
    // Admins and viewers may read events; a session is always one of them.
    return session !== null;
  }

  /** As `valid()`, but without a database read until the session's last known expiry. */
  validNow(): boolean {
    return this.stores.clock.now() < this.expires || this.valid();
  }

  /** Calls `revoked` when a revocation leaves these credentials invalid; returns the function that stops listening. */
  onRevoked(revoked: () => void): () => void {
    const recheck = () => void (this.valid() || revoked());
    const stops = [this.stores.serviceAccounts, this.stores.users, this.stores.sessions].map((store) => store.revocations.listen(recheck));
    return () => stops.forEach((stop) => stop());
  }
}
