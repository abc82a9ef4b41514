// People who sign in to the admin UI (storage). Passwords are Argon2id hashes via Bun.password;
// the hash never leaves this module.
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { users } from "../db/schema.ts";
import { AppError, invalid } from "../errors.ts";
import { Revocations } from "./revocations.ts";

export type UserRole = "admin" | "viewer";
export const USER_ROLES: readonly UserRole[] = ["admin", "viewer"];

export const MIN_PASSWORD_LENGTH = 8;
/** Argon2 hashes whatever it is given; bound it so a huge "password" cannot burn CPU and memory. */
export const MAX_PASSWORD_LENGTH = 1024;

export interface User {
  id: string;
  email: string;
  role: UserRole;
  created: string;
  updated: string;
}

type Row = typeof users.$inferSelect;

const toApi = (row: Row): User => ({
  id: row.id,
  email: row.email,
  role: row.role,
  created: new Date(row.created).toISOString(),
  updated: new Date(row.updated).toISOString(),
});

// Deliberately loose (RFC 5322 is not worth enforcing here): one @, no spaces, a dot in the domain.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lowercased, trimmed email, or a 422 naming the problem. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL_PATTERN.test(email)) throw invalid("email: must be a valid email address");
  return email;
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid(`password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw invalid(`password: must be at most ${MAX_PASSWORD_LENGTH} characters`);
}

function checkRole(role: string): asserts role is UserRole {
  if (!USER_ROLES.includes(role as UserRole)) throw invalid(`role: must be one of ${USER_ROLES.join(", ")}`);
}

const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });

/** A fixed hash to verify against when the email is unknown, so timing does not reveal which emails exist. */
let decoyHash: Promise<string> | null = null;

export class UserStore {
  /** Notified when a user is deleted or changed (their sessions may be gone, their role lower). */
  readonly revocations = new Revocations();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: { email: string; password: string; role: UserRole }): Promise<User> {
    const email = normalizeEmail(input.email);
    checkPassword(input.password);
    checkRole(input.role);
    const passwordHash = await hashPassword(input.password);
    if (this.findRow(email)) throw new AppError("conflict", "A user with that email already exists");
    const now = this.now();
    try {
      const row = this.db
        .insert(users)
        .values({ id: crypto.randomUUID(), email, passwordHash, role: input.role, created: now, updated: now })
        .returning()
        .get();
      return toApi(row);
    } catch (err) {
      // Two creates racing past the check above: the unique index decides.
      if (String(err).includes("UNIQUE")) throw new AppError("conflict", "A user with that email already exists");
      throw err;
    }
  }

  list(): User[] {
    return this.db.select().from(users).orderBy(asc(users.created), asc(users.email)).all().map(toApi);
  }

  get(id: string): User | null {
    const row = this.db.select().from(users).where(eq(users.id, id)).get();
    return row ? toApi(row) : null;
  }

  getByEmail(email: string): User | null {
    const row = this.findRow(email.trim().toLowerCase());
    return row ? toApi(row) : null;
  }

  count(role?: UserRole): number {
    const q = this.db.select({ n: sql<number>`count(*)` }).from(users);
    return (role ? q.where(eq(users.role, role)) : q).get()?.n ?? 0;
  }

  /** Changes role and/or password. Refuses to leave the server without an admin (422). */
  async update(id: string, patch: { role?: UserRole; password?: string }): Promise<User | null> {
    const current = this.get(id);
    if (!current) return null;
    const set: Partial<Row> = { updated: this.now() };
    if (patch.role !== undefined) {
      checkRole(patch.role);
      if (current.role === "admin" && patch.role !== "admin" && this.count("admin") <= 1) {
        throw new AppError("rule_violation", "The last admin cannot be demoted");
      }
      set.role = patch.role;
    }
    if (patch.password !== undefined) {
      checkPassword(patch.password);
      set.passwordHash = await hashPassword(patch.password);
    }
    const row = this.db.update(users).set(set).where(eq(users.id, id)).returning().get();
    if (!row) return null;
    this.revocations.notify();
    return toApi(row);
  }

  /** Deletes the user (their sessions go with them, by foreign key). Refuses to delete the last admin. */
  delete(id: string): boolean {
    const current = this.get(id);
    if (!current) return false;
    if (current.role === "admin" && this.count("admin") <= 1) throw new AppError("rule_violation", "The last admin cannot be deleted");
    const deleted = this.db.delete(users).where(eq(users.id, id)).returning({ id: users.id }).all().length > 0;
    if (deleted) this.revocations.notify();
    return deleted;
  }

  /** The user whose email and password match, or null. Takes about as long whether or not the email exists. */
  async verify(email: string, password: string): Promise<User | null> {
    if (password.length > MAX_PASSWORD_LENGTH) return null;
    const row = this.findRow(email.trim().toLowerCase());
    if (!row) {
      decoyHash ??= hashPassword("decoy-password-never-matches");
      await Bun.password.verify(password, await decoyHash);
      return null;
    }
    return (await Bun.password.verify(password, row.passwordHash)) ? toApi(row) : null;
  }

  private findRow(email: string): Row | undefined {
    return this.db.select().from(users).where(eq(users.email, email)).get();
  }
}
