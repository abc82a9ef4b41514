// Server-wide settings, kept as JSON values in the settings table, and the server's own secrets
// kept beside them.
import { eq } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import type { Db } from "../db/open.ts";
import { settings } from "../db/schema.ts";

export interface Settings {
  /** When on, every webhook must have a service account (Prefect Cloud's account-level setting). */
  enforce_webhook_auth: boolean;
}

export const DEFAULT_SETTINGS: Settings = { enforce_webhook_auth: false };

export class SettingsStore {
  private readonly secrets = new Map<string, Buffer>();

  constructor(private readonly db: Db) {}

  get(): Settings {
    const rows = this.db.select().from(settings).all();
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)]));
    return { ...DEFAULT_SETTINGS, ...pick(stored) };
  }

  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.db
      .insert(settings)
      .values({ key, value: JSON.stringify(value) })
      .onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(value) } })
      .run();
  }

  /**
   * A random 32-byte secret kept under `key` (not a user setting; e.g. a signing key): created on
   * first use and kept, so that what it signs survives restarts. Once it exists, reading it writes nothing.
   */
  secret(key: string): Buffer {
    let secret = this.secrets.get(key);
    if (!secret) {
      const read = () => this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
      let stored = read();
      if (stored === undefined) {
        const fresh = JSON.stringify(randomBytes(32).toString("base64url"));
        this.db.insert(settings).values({ key, value: fresh }).onConflictDoNothing().run();
        // Another process on the same file may have won the insert: read back whichever is stored.
        stored = read()!;
      }
      secret = Buffer.from(JSON.parse(stored) as string, "base64url");
      this.secrets.set(key, secret);
    }
    return secret;
  }
}

function pick(stored: Record<string, unknown>): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (typeof stored.enforce_webhook_auth === "boolean") out.enforce_webhook_auth = stored.enforce_webhook_auth;
  return out;
}
