// Event storage: the events table and its per-resource rows (the shape Prefect's server queries).
import type { Statement } from "bun:sqlite";
import { eq } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { events } from "../db/schema.ts";
import { eventJson, RESOURCE_ID, RESOURCE_ROLE, type Event, type Resource } from "./model.ts";

/** An event as stored: its commit-order sequence number and the event itself. */
export interface StoredEvent {
  seq: number;
  event: Event;
}

function labelsOf(resource: Resource): string {
  const { [RESOURCE_ID]: _id, [RESOURCE_ROLE]: _role, ...rest } = resource;
  return JSON.stringify(rest);
}

export class EventStore {
  private readonly insertEvent: Statement;
  private readonly insertResource: Statement;
  private readonly selectById: Statement<{ data: string }>;

  constructor(readonly db: Db) {
    const client = db.$client;
    this.insertEvent = client.prepare(
      "INSERT INTO events (id, occurred, received, event, resource_id, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
    );
    this.insertResource = client.prepare(
      "INSERT INTO event_resources (event_seq, occurred, resource_id, role, labels) VALUES (?, ?, ?, ?, ?)",
    );
    this.selectById = client.prepare("SELECT data FROM events WHERE id = ?");
  }

  /**
   * Writes events without opening a transaction: the caller decides the transaction (group
   * commit batches many requests into one). An event whose id is already stored is skipped,
   * so a retried delivery is stored once.
   */
  insertMany(list: Event[]): StoredEvent[] {
    const stored: StoredEvent[] = [];
    for (const event of list) {
      const occurred = Date.parse(event.occurred);
      let row: { seq: number } | null;
      try {
        row = this.insertEvent.get(
          event.id, occurred, Date.parse(event.received), event.event, event.resource[RESOURCE_ID]!, eventJson(event),
        ) as { seq: number } | null;
      } catch (err) {
        if (err instanceof Error && /UNIQUE constraint failed: events\.id/.test(err.message)) continue;
        throw err;
      }
      const seq = row!.seq;
      this.insertResource.run(seq, occurred, event.resource[RESOURCE_ID]!, "", labelsOf(event.resource));
      for (const related of event.related) {
        this.insertResource.run(seq, occurred, related[RESOURCE_ID]!, related[RESOURCE_ROLE]!, labelsOf(related));
      }
      stored.push({ seq, event });
    }
    return stored;
  }

  /** Inserts in one transaction of its own. */
  insert(list: Event[]): StoredEvent[] {
    return this.db.$client.transaction(() => this.insertMany(list))();
  }

  get(id: string): Event | null {
    const row = this.selectById.get(id);
    return row ? (JSON.parse(row.data) as Event) : null;
  }

  count(): number {
    return (this.db.$client.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  }

  exists(id: string): boolean {
    return this.db.select({ id: events.id }).from(events).where(eq(events.id, id)).get() !== undefined;
  }
}
