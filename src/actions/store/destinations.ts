// Destinations (storage): the destinations table, and nothing else touches it. Settings are kept
// as JSON in two columns, `config` (shown) and `secrets` (write-only, encrypted with the data
// directory's secrets.key, beside the names of the fields that are set); `signing_secrets` holds a
// webhook destination's Standard Webhooks secrets.
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { destinations } from "../../db/schema.ts";
import { SecretKeyError, type SecretBox } from "../../verification/secret-box.ts";
import {
  newSigningSecret,
  ROTATION_OVERLAP_MS,
  secretsSet,
  type Destination,
  type DestinationType,
  type SigningSecret,
} from "../destinations/model.ts";
import type { Settings } from "../destinations/validate.ts";

type Row = typeof destinations.$inferSelect;

export interface DestinationInput extends Settings {
  name: string;
  type: DestinationType;
  enabled: boolean;
}

export class DestinationStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly box: SecretBox,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /** The secrets column: which fields are set, in the clear, and their values sealed. */
  private seal(type: DestinationType, secrets: Record<string, unknown>): string {
    return JSON.stringify({ set: secretsSet(type, secrets), sealed: this.box.sealText(JSON.stringify(secrets)) });
  }

  private toDestination(row: Row): Destination {
    const column = JSON.parse(row.secrets) as { set: string[]; sealed: string };
    let secrets: Record<string, unknown> = {};
    let unreadable = false;
    try {
      secrets = JSON.parse(this.box.openText(column.sealed));
    } catch (error) {
      if (!(error instanceof SecretKeyError)) throw error;
      unreadable = true;
    }
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      enabled: row.enabled,
      disabled_reason: row.disabledReason,
      config: JSON.parse(row.config),
      secrets,
      secrets_set: column.set,
      ...(unreadable ? { secrets_unreadable: true } : {}),
      signing_secrets: JSON.parse(row.signingSecrets),
      created: row.created,
      updated: row.updated,
    } as Destination;
  }

  /** Creates it; a webhook destination gets its signing secret, returned here once. */
  create(input: DestinationInput): { destination: Destination; signingSecret: string | null } {
    const now = this.now();
    const signingSecret = input.type === "webhook" ? newSigningSecret() : null;
    const signing: SigningSecret[] = signingSecret ? [{ secret: signingSecret, created: now, expires: null }] : [];
    const row = this.db
      .insert(destinations)
      .values({
        id: this.newId(),
        name: input.name,
        type: input.type,
        config: JSON.stringify(input.config),
        secrets: this.seal(input.type, input.secrets),
        signingSecrets: JSON.stringify(signing),
        enabled: input.enabled,
        created: now,
        updated: now,
      })
      .returning()
      .get();
    return { destination: this.toDestination(row), signingSecret };
  }

  get(id: string): Destination | null {
    const row = this.db.select().from(destinations).where(eq(destinations.id, id)).get();
    return row ? this.toDestination(row) : null;
  }

  list(): Destination[] {
    return this.db
      .select()
      .from(destinations)
      .orderBy(asc(destinations.name), asc(destinations.created))
      .all()
      .map((row) => this.toDestination(row));
  }

  /** Replaces name, settings and whether it is enabled (enabling clears why it was disabled); null when there is none. */
  update(id: string, input: Omit<DestinationInput, "type">): Destination | null {
    const current = this.db.select({ type: destinations.type }).from(destinations).where(eq(destinations.id, id)).get();
    if (!current) return null;
    const row = this.db
      .update(destinations)
      .set({
        name: input.name,
        config: JSON.stringify(input.config),
        secrets: this.seal(current.type, input.secrets),
        enabled: input.enabled,
        disabledReason: input.enabled ? null : sql`${destinations.disabledReason}`,
        updated: this.now(),
      })
      .where(eq(destinations.id, id))
      .returning()
      .get();
    return row ? this.toDestination(row) : null;
  }

  delete(id: string): boolean {
    return this.db.delete(destinations).where(eq(destinations.id, id)).returning({ id: destinations.id }).all().length > 0;
  }

  /**
   * A new signing secret; the current ones stay valid for ROTATION_OVERLAP_MS (older ones already
   * expiring keep their expiry), so receivers can switch over. Null when there is no such webhook
   * destination.
   */
  rotateSigningSecret(id: string): string | null {
    const current = this.get(id);
    if (!current || current.type !== "webhook") return null;
    const now = this.now();
    const secret = newSigningSecret();
    const kept = current.signing_secrets
      .filter((s) => s.expires === null || s.expires > now)
      .map((s) => ({ ...s, expires: s.expires ?? now + ROTATION_OVERLAP_MS }));
    const next: SigningSecret[] = [{ secret, created: now, expires: null }, ...kept];
    this.db
      .update(destinations)
      .set({ signingSecrets: JSON.stringify(next), updated: now })
      .where(eq(destinations.id, id))
      .run();
    return secret;
  }

  /** Disables it, saying why (a receiver's 410). */
  disable(id: string, reason: string): void {
    this.db.update(destinations).set({ enabled: false, disabledReason: reason, updated: this.now() }).where(eq(destinations.id, id)).run();
  }
}
