// Browser sessions (storage and cookie). The cookie holds a random token; the database holds only
// its SHA-256, so a copy of the database carries no live session.
import { and, eq, gt, lt, ne } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import type { Db } from "../db/open.ts";
import { sessions, users } from "../db/schema.ts";
import { hashApiKey } from "./keys.ts";
import { Revocations } from "./revocations.ts";
import type { User, UserRole } from "./users.ts";

export const SESSION_COOKIE = "inlet_session";
/** Sliding expiry: a session lives this long after its last renewal. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Renew at most this often, so that an active user does not cost a write per request. */
export const SESSION_RENEW_AFTER_MS = 60 * 60 * 1000;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SessionUser {
  sessionId: string;
  user: User;
  expires: number;
  /** Set when this lookup extended the session: the caller re-sends the cookie with the new expiry. */
  renewed: boolean;
}

export class SessionStore {
  /** Notified when sessions are signed out. */
  readonly revocations = new Revocations();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Starts a session for a user and returns the cookie token (shown to the browser only); null when
   * the user no longer exists (deleted while their password was being checked).
   */
  create(userId: string): { token: string; expires: number } | null {
    const now = this.now();
    this.db.delete(sessions).where(lt(sessions.expires, now)).run();
    const token = randomBytes(32).toString("base64url");
    const expires = now + SESSION_TTL_MS;
    try {
      this.db
        .insert(sessions)
        .values({ id: hashApiKey(token), userId, created: now, expires })
        .run();
    } catch (err) {
      // The foreign key decides, also against a deletion by another process on the same database.
      if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY") return null;
      throw err;
    }
    return { token, expires };
  }

  /**
   * The live session behind a cookie token; null when unknown or expired. A request renews it when
   * due; a re-check of a long-lived connection (`renew: false`) does not, or it would never expire.
   */
  authenticate(token: string, { renew = true } = {}): SessionUser | null {
    if (!TOKEN_PATTERN.test(token)) return null;
    const now = this.now();
    const id = hashApiKey(token);
    const row = this.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, id), gt(sessions.expires, now)))
      .get();
    if (!row) return null;
    let expires = row.session.expires;
    let renewed = false;
    if (renew && expires - now < SESSION_TTL_MS - SESSION_RENEW_AFTER_MS) {
      expires = now + SESSION_TTL_MS;
      this.db.update(sessions).set({ expires }).where(eq(sessions.id, id)).run();
      renewed = true;
    }
    const u = row.user;
    const user: User = {
      id: u.id,
      email: u.email,
      role: u.role as UserRole,
      created: new Date(u.created).toISOString(),
      updated: new Date(u.updated).toISOString(),
    };
    return { sessionId: id, user, expires, renewed };
  }

  /** Signs out one session (by cookie token). */
  revoke(token: string): void {
    if (!TOKEN_PATTERN.test(token)) return;
    this.db
      .delete(sessions)
      .where(eq(sessions.id, hashApiKey(token)))
      .run();
    this.revocations.notify();
  }

  /** Signs a user out everywhere (after a password change or a role change). */
  revokeUser(userId: string, exceptSessionId?: string): void {
    const mine = eq(sessions.userId, userId);
    this.db
      .delete(sessions)
      .where(exceptSessionId ? and(mine, ne(sessions.id, exceptSessionId)) : mine)
      .run();
    this.revocations.notify();
  }
}

/** The value of one cookie from a Cookie header, or null. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eqAt = part.indexOf("=");
    if (eqAt < 0) continue;
    if (part.slice(0, eqAt).trim() === name) return part.slice(eqAt + 1).trim();
  }
  return null;
}

/** Set-Cookie for a session (RFC 6265). Secure only when the public URL is https, so plain-HTTP homelabs still work. */
export function sessionCookie(token: string, expires: number, now: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.round((expires - now) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
