// Webhooks (storage). The API shape follows Prefect Cloud's; `url` is derived from the base URL.
import type { Statement } from "bun:sqlite";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { webhooks } from "../db/schema.ts";
import type { SettingsStore } from "../settings/store.ts";
import { newSlug } from "./slug.ts";
import { sealedView } from "../verification/secret-box.ts";
import type { VerificationView } from "../verification/model.ts";

export type WebhookRow = typeof webhooks.$inferSelect;

export interface Webhook {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string;
  enabled: boolean;
  template: string;
  service_account_id: string | null;
  slug: string;
  url: string;
  /** The scheme and settings; secrets are write-only and only counted. */
  verification: VerificationView | null;
  dedup_key: string | null;
  /** Requests answered as redeliveries of a stored event (204, not stored again). */
  duplicates: number;
}

export interface WebhookInput {
  name: string;
  description: string;
  template: string;
  enabled: boolean;
  serviceAccountId: string | null;
  /** Sealed (SecretBox.seal), or null for none. */
  verification?: string | null;
  dedupKey?: string | null;
}

export interface WebhookListOptions {
  names?: string[];
  limit?: number;
  offset?: number;
}

export class WebhookStore {
  private readonly bySlug: Statement<WebhookRowRaw>;
  private readonly pendingDuplicates = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly baseUrl: () => string,
    private readonly now: () => number = Date.now,
  ) {
    // The ingestion hot path: one indexed lookup per request, prepared once.
    this.bySlug = db.$client.prepare(
      "SELECT id, name, enabled, template, service_account_id, verification, dedup_key FROM webhooks WHERE slug = ?",
    );
  }

  toApi(row: WebhookRow): Webhook {
    return {
      id: row.id,
      created: new Date(row.created).toISOString(),
      updated: new Date(row.updated).toISOString(),
      name: row.name,
      description: row.description,
      enabled: row.enabled,
      template: row.template,
      service_account_id: row.serviceAccountId,
      slug: row.slug,
      url: `${this.baseUrl()}/hooks/${row.slug}`,
      verification: sealedView(row.verification),
      dedup_key: row.dedupKey || null,
      duplicates: row.duplicates + (this.pendingDuplicates.get(row.id) ?? 0),
    };
  }

  create(input: WebhookInput): WebhookRow {
    const now = this.now();
    return this.db
      .insert(webhooks)
      .values({
        id: crypto.randomUUID(),
        name: input.name,
        description: input.description,
        template: input.template,
        enabled: input.enabled,
        serviceAccountId: input.serviceAccountId,
        verification: input.verification ?? null,
        dedupKey: input.dedupKey || null,
        slug: newSlug(),
        created: now,
        updated: now,
      })
      .returning()
      .get();
  }

  list({ names, limit, offset = 0 }: WebhookListOptions = {}): WebhookRow[] {
    const query = this.db
      .select()
      .from(webhooks)
      .where(names ? inArray(webhooks.name, names) : undefined)
      .orderBy(asc(webhooks.created), sql`rowid`)
      .offset(offset);
    // SQLite takes OFFSET only after a LIMIT, and drizzle leaves out a limit of -1: no limit is
    // the largest one.
    return query.limit(limit ?? Number.MAX_SAFE_INTEGER).all();
  }

  get(id: string): WebhookRow | null {
    return this.db.select().from(webhooks).where(eq(webhooks.id, id)).get() ?? null;
  }

  /** The webhook a hook URL points at, with only the columns ingestion needs. */
  getBySlug(slug: string): IngestWebhook | null {
    const row = this.bySlug.get(slug);
    return row
      ? {
          id: row.id,
          name: row.name,
          enabled: row.enabled === 1,
          template: row.template,
          serviceAccountId: row.service_account_id,
          verification: row.verification,
          dedupKey: row.dedup_key || null,
        }
      : null;
  }

  update(id: string, changes: Partial<WebhookInput>): WebhookRow | null {
    return (
      this.db
        .update(webhooks)
        .set({ ...changes, updated: this.now() })
        .where(eq(webhooks.id, id))
        .returning()
        .get() ?? null
    );
  }

  /** A new slug; everything else is kept. The old URL stops working at once. */
  rotate(id: string): WebhookRow | null {
    return this.db.update(webhooks).set({ slug: newSlug(), updated: this.now() }).where(eq(webhooks.id, id)).returning().get() ?? null;
  }

  delete(id: string): boolean {
    return this.db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id }).all().length > 0;
  }

  /**
   * Turns the enforce_webhook_auth setting on or off. Turning it on also disables every enabled
   * webhook that has no service account, in the same transaction; returns how many it disabled.
   */
  setEnforceAuth(on: boolean, settings: Pick<SettingsStore, "set">): number {
    return this.db.$client.transaction(() => {
      settings.set("enforce_webhook_auth", on);
      return on ? this.disableUnauthenticated() : 0;
    })();
  }

  /**
   * Counts a request answered as a redelivery. Counts are written in batches, at the next turn of
   * the event loop (one UPDATE per request would cost an fsync each); answers include those waiting.
   */
  countDuplicate(id: string): void {
    this.pendingDuplicates.set(id, (this.pendingDuplicates.get(id) ?? 0) + 1);
    if (this.pendingDuplicates.size === 1) setImmediate(() => this.flushDuplicates());
  }

  /** Writes the waiting duplicate counts (the context's stop calls it before closing). */
  flushDuplicates(): void {
    if (this.pendingDuplicates.size === 0) return;
    const counts = [...this.pendingDuplicates];
    this.pendingDuplicates.clear();
    try {
      this.db.$client.transaction(() => {
        for (const [id, n] of counts)
          this.db
            .update(webhooks)
            .set({ duplicates: sql`${webhooks.duplicates} + ${n}` })
            .where(eq(webhooks.id, id))
            .run();
      })();
    } catch {
      // The database closed under a late flush: the counts are lost, nothing else is.
    }
  }

  /** Disables every enabled webhook that has neither a service account nor verification; returns how many. */
  private disableUnauthenticated(): number {
    return this.db
      .update(webhooks)
      .set({ enabled: false, updated: this.now() })
      .where(and(isNull(webhooks.serviceAccountId), isNull(webhooks.verification), eq(webhooks.enabled, true)))
      .returning({ id: webhooks.id })
      .all().length;
  }
}

interface WebhookRowRaw {
  id: string;
  name: string;
  enabled: number;
  template: string;
  service_account_id: string | null;
  verification: string | null;
  dedup_key: string | null;
}

export interface IngestWebhook {
  id: string;
  name: string;
  enabled: boolean;
  template: string;
  serviceAccountId: string | null;
  /** Sealed; open it with ctx.secrets. */
  verification: string | null;
  dedupKey: string | null;
}
