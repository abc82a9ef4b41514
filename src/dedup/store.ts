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

type Row = [webhookId: string, key: string, eventId: string, stored: number];

/**
 * Keys are recorded in batches: each in its own transaction would cost an fsync per stored event
 * (synchronous=FULL), on top of the event's own group commit. Keys recorded in the same turn of the
 * event loop are written together at the next one; until then they are answered from memory. A
 * crash in between loses them, so a redelivery could then be stored once more.
 */
export class DedupKeys {
  private readonly find: Statement<{ event_id: string }>;
  private readonly upsert: Statement;
  private readonly sweep: Statement;
  private readonly pending = new Map<string, Row>();
  private scheduled = false;
  private recorded = 0;

  constructor(
    private readonly db: Db,
    /** The oldest time (ms) a key still counts from: now minus the retention window. */
    private readonly since: () => number,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.find = db.$client.prepare("SELECT event_id FROM dedup_keys WHERE webhook_id = ? AND key = ? AND stored >= ?");
    this.upsert = db.$client.prepare(
      "INSERT INTO dedup_keys (webhook_id, key, event_id, stored) VALUES (?, ?, ?, ?) ON CONFLICT (webhook_id, key) DO UPDATE SET event_id = excluded.event_id, stored = excluded.stored",
    );
    this.sweep = db.$client.prepare("DELETE FROM dedup_keys WHERE stored < ?");
  }

  /** The id of the event this webhook stored under `key` within the window, or null. */
  storedUnder(webhookId: string, key: string): string | null {
    const k = storedKey(key);
    const waiting = this.pending.get(`${webhookId}\n${k}`);
    if (waiting && waiting[3] >= this.since()) return waiting[2];
    return this.find.get(webhookId, k, this.since())?.event_id ?? null;
  }

  record(webhookId: string, key: string, eventId: string, now: number): void {
    const k = storedKey(key);
    this.pending.set(`${webhookId}\n${k}`, [webhookId, k, eventId, now]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the keys recorded since the last flush (the context's stop calls it before closing). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    try {
      this.db.$client.transaction(() => {
        for (const row of rows) this.upsert.run(...row);
        this.recorded += rows.length;
        if (this.recorded >= SWEEP_EVERY) {
          this.recorded = 0;
          this.sweep.run(this.since());
        }
      })();
    } catch (error) {
      this.onError(error);
    }
  }
}
