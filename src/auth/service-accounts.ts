// Service accounts and their API keys (storage).
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { serviceAccounts } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { constantTimeEqual, displayPrefix, generateApiKey, hashApiKey, isWellFormedKey } from "./keys.ts";
import { Revocations } from "./revocations.ts";

export type Role = "admin" | "webhook";
export const ROLES: readonly Role[] = ["admin", "webhook"];

export interface ServiceAccount {
  id: string;
  name: string;
  role: Role;
  key_prefix: string;
  created: string;
  updated: string;
}

type Row = typeof serviceAccounts.$inferSelect;

const toApi = (row: Row): ServiceAccount => ({
  id: row.id,
  name: row.name,
  role: row.role,
  key_prefix: row.keyPrefix,
  created: new Date(row.created).toISOString(),
  updated: new Date(row.updated).toISOString(),
});

export class ServiceAccountStore {
  /** Notified when a key stops working (its account deleted, or the key rotated). */
  readonly revocations = new Revocations();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Creates an account and returns it with its key; the key is never retrievable again. Names are
   * unique (ignoring case and surrounding spaces): lists and a webhook's account picker show them,
   * and two "ci" entries cannot be told apart.
   */
  create(name: string, role: Role): ServiceAccount & { api_key: string } {
    const taken = this.db
      .select({ id: serviceAccounts.id })
      .from(serviceAccounts)
      .where(sql`lower(trim(${serviceAccounts.name})) = lower(trim(${name}))`)
      .get();
    if (taken) throw new AppError("conflict", `A service account named "${name.trim()}" already exists`);
    const key = generateApiKey();
    const now = this.now();
    const row = this.db
      .insert(serviceAccounts)
      .values({
        id: crypto.randomUUID(),
        name,
        role,
        keyHash: hashApiKey(key),
        keyPrefix: displayPrefix(key),
        created: now,
        updated: now,
      })
      .returning()
      .get();
    return { ...toApi(row), api_key: key };
  }

  list(): ServiceAccount[] {
    return this.db.select().from(serviceAccounts).orderBy(asc(serviceAccounts.created), asc(serviceAccounts.name)).all().map(toApi);
  }

  get(id: string): ServiceAccount | null {
    const row = this.db.select().from(serviceAccounts).where(eq(serviceAccounts.id, id)).get();
    return row ? toApi(row) : null;
  }

  delete(id: string): boolean {
    const deleted =
      this.db.delete(serviceAccounts).where(eq(serviceAccounts.id, id)).returning({ id: serviceAccounts.id }).all().length > 0;
    if (deleted) this.revocations.notify();
    return deleted;
  }

  /** Replaces the key; the old one stops working at once. */
  rotateKey(id: string): (ServiceAccount & { api_key: string }) | null {
    const key = generateApiKey();
    const row = this.db
      .update(serviceAccounts)
      .set({ keyHash: hashApiKey(key), keyPrefix: displayPrefix(key), updated: this.now() })
      .where(eq(serviceAccounts.id, id))
      .returning()
      .get();
    if (!row) return null;
    this.revocations.notify();
    return { ...toApi(row), api_key: key };
  }

  /** The account a key belongs to, or null. */
  authenticate(key: string): ServiceAccount | null {
    if (!isWellFormedKey(key)) return null;
    const hash = hashApiKey(key);
    const row = this.db.select().from(serviceAccounts).where(eq(serviceAccounts.keyHash, hash)).get();
    // The lookup is by hash, so timing reveals nothing about the key; compare again in constant time anyway.
    return row && constantTimeEqual(row.keyHash, hash) ? toApi(row) : null;
  }
}
