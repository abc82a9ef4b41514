// Event storage: the events table and its per-resource rows (the shape Prefect's server queries).
import { parseJsonExact } from "../json.ts";
import type { Statement } from "bun:sqlite";
import { eq } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { events } from "../db/schema.ts";
import type { Event } from "./model.ts";
import { EventRowWriter, toRow } from "./rows.ts";

/** An event as stored: its commit-order sequence number and the event itself. */
export interface StoredEvent {
  seq: number;
  event: Event;
}

/** Pairs events with the sequence numbers their insert returned, leaving out the skipped ones. */
export function joinStored(list: Event[], seqs: (number | null)[]): StoredEvent[] {
  const stored: StoredEvent[] = [];
  seqs.forEach((seq, i) => {
    if (seq !== null) stored.push({ seq, event: list[i]! });
  });
  return stored;
}

export class EventStore {
  private readonly rows: EventRowWriter;
  private readonly selectById: Statement<{ data: string }>;

  constructor(readonly db: Db) {
    this.rows = new EventRowWriter(db.$client);
    this.selectById = db.$client.prepare("SELECT data FROM events WHERE id = ?");
  }

  /** Writes events in the caller's transaction; an event whose id is already stored is skipped. */
  insertMany(list: Event[]): StoredEvent[] {
    const seqs = this.rows.insert(list.map(toRow));
    return joinStored(list, seqs);
  }

  /** Inserts in one transaction of its own. */
  insert(list: Event[]): StoredEvent[] {
    return this.db.$client.transaction(() => this.insertMany(list))();
  }

  get(id: string): Event | null {
    const row = this.selectById.get(id);
    return row ? (parseJsonExact(row.data) as Event) : null;
  }

  count(): number {
    return (this.db.$client.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  }

  exists(id: string): boolean {
    return this.db.select({ id: events.id }).from(events).where(eq(events.id, id)).get() !== undefined;
  }
}
