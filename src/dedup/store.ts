// Dedup keys (storage): the key of each event a webhook stored, so that a provider's redelivery
// of the same request is answered 204 and not stored or evaluated again. Keys older than the
// retention window no longer count, and are swept now and then.
import type { Statement } from "bun:sqlite";
import { createHash } from "node:crypto";
import type { Db } from "../db/open.ts";

/** Keys longer than this are kept as their SHA-256, so that a stranger cannot grow the table fast. */
const MAX_KEY_CHARS = 256;
/** Every this many recorded keys, the expired ones are deleted. */
const SWEEP_EVERY = 1000;

/** The stored form of a key: itself when short, else its digest. */
export function storedKey(key: string): string {
  return key.length <= MAX_KEY_CHARS ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
}

export class DedupKeys {
  private readonly find: Statement<{ event_id: string }>;
  private readonly upsert: Statement;
  private readonly sweep: Statement;
  private recorded = 0;

  constructor(
    db: Db,
    /** The oldest time (ms) a key still counts from: now minus the retention window. */
    private readonly since: () => number,
  ) {
    this.find = db.$client.prepare("SELECT event_id FROM dedup_keys WHERE webhook_id = ? AND key = ? AND stored >= ?");
    this.upsert = db.$client.prepare(
      "INSERT INTO dedup_keys (webhook_id, key, event_id, stored) VALUES (?, ?, ?, ?) ON CONFLICT (webhook_id, key) DO UPDATE SET event_id = excluded.event_id, stored = excluded.stored",
    );
    this.sweep = db.$client.prepare("DELETE FROM dedup_keys WHERE stored < ?");
  }

  /** The id of the event this webhook stored under `key` within the window, or null. */
  storedUnder(webhookId: string, key: string): string | null {
    return this.find.get(webhookId, storedKey(key), this.since())?.event_id ?? null;
  }

  record(webhookId: string, key: string, eventId: string, now: number): void {
    this.upsert.run(webhookId, storedKey(key), eventId, now);
    if (++this.recorded % SWEEP_EVERY === 0) this.sweep.run(this.since());
  }
}
