// The rows one event becomes, and the prepared statements that write them: plain data, free of
// drizzle, so that any committer (committer.ts) can write them on its own connection.
import type { Database, Statement } from "bun:sqlite";
import { eventJson, RESOURCE_ID, RESOURCE_ROLE, type Event, type Resource } from "../model.ts";
import type { RawRequest, StoredEvent } from "./event-store.ts";

/** [resource id, role ("" for the primary resource), labels other than id and role as JSON]. */
export type ResourceRow = [string, string, string];

export interface EventRow {
  id: string;
  occurred: number;
  received: number;
  event: string;
  resourceId: string;
  data: string;
  resources: ResourceRow[];
}

function labelsOf(resource: Resource): string {
  const { [RESOURCE_ID]: _id, [RESOURCE_ROLE]: _role, ...rest } = resource;
  return JSON.stringify(rest);
}

export function toRow(event: Event): EventRow {
  return {
    id: event.id,
    occurred: Date.parse(event.occurred),
    received: Date.parse(event.received),
    event: event.event,
    resourceId: event.resource[RESOURCE_ID]!,
    data: eventJson(event),
    resources: [
      [event.resource[RESOURCE_ID]!, "", labelsOf(event.resource)],
      ...event.related.map((r): ResourceRow => [r[RESOURCE_ID]!, r[RESOURCE_ROLE]!, labelsOf(r)]),
    ],
  };
}

export class EventRowWriter {
  private readonly insertEvent: Statement<{ seq: number }>;
  private readonly insertResource: Statement;
  private readonly insertRaw: Statement;

  constructor(client: Database) {
    this.insertEvent = client.prepare(
      "INSERT INTO events (id, occurred, received, event, resource_id, data) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
    );
    this.insertResource = client.prepare(
      "INSERT INTO event_resources (event_seq, occurred, resource_id, role, labels) VALUES (?, ?, ?, ?, ?)",
    );
    this.insertRaw = client.prepare(
      "INSERT INTO raw_requests (event_seq, webhook_id, received, method, query, headers, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
  }

  /**
   * Writes rows without opening a transaction (the caller's group commit does). Returns each
   * row's sequence number, or null for an event whose id was already stored (a retried
   * delivery is stored once).
   */
  insert(rows: EventRow[], raws?: (RawRequest | undefined)[]): (number | null)[] {
    return rows.map((row, i) => {
      let seq: number;
      try {
        seq = this.insertEvent.get(row.id, row.occurred, row.received, row.event, row.resourceId, row.data)!.seq;
      } catch (err) {
        if (err instanceof Error && /UNIQUE constraint failed: events\.id/.test(err.message)) return null;
        throw err;
      }
      for (const [resourceId, role, labels] of row.resources) this.insertResource.run(seq, row.occurred, resourceId, role, labels);
      const raw = raws?.[i];
      if (raw) this.insertRaw.run(seq, raw.webhookId, row.received, raw.method, raw.query, JSON.stringify(raw.headers), raw.body);
      return seq;
    });
  }
}

/** Pairs events with the sequence numbers their insert returned, leaving out the skipped ones. */
export function joinStored(list: Event[], seqs: (number | null)[]): StoredEvent[] {
  const stored: StoredEvent[] = [];
  seqs.forEach((seq, i) => {
    if (seq !== null) stored.push({ seq, event: list[i]! });
  });
  return stored;
}
