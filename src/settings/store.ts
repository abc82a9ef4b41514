// Server-wide settings, kept as JSON values in the settings table.
import { eq } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { settings } from "../db/schema.ts";

export interface Settings {
  /** When on, every webhook must have a service account (Prefect Cloud's account-level setting). */
  enforce_webhook_auth: boolean;
}

export const DEFAULT_SETTINGS: Settings = { enforce_webhook_auth: false };

export class SettingsStore {
  constructor(private readonly db: Db) {}

  get(): Settings {
    const rows = this.db.select().from(settings).all();
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)]));
    return { ...DEFAULT_SETTINGS, ...pick(stored) };
  }

  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.db.insert(settings).values({ key, value: JSON.stringify(value) })
      .onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(value) } }).run();
  }

  /** Raw access for internal values that are not user settings (e.g. a signing secret). */
  getRaw(key: string): string | null {
    return this.db.select().from(settings).where(eq(settings.key, key)).get()?.value ?? null;
  }
}

function pick(stored: Record<string, unknown>): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (typeof stored.enforce_webhook_auth === "boolean") out.enforce_webhook_auth = stored.enforce_webhook_auth;
  return out;
}
