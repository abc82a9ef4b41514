// The requests hook events were made from (raw_requests): reading them back for the API, and
// their own, shorter retention. Rows are written with their events, in the group commit (rows.ts),
// and go with their events by foreign key.
import type { Database, Statement } from "bun:sqlite";
import type { StoredRequest } from "./event-store.ts";

interface Row {
  event_id: string;
  webhook_id: string;
  received: number;
  method: string;
  query: string;
  headers: string;
  body: Uint8Array;
}

const COLUMNS = "e.id AS event_id, r.webhook_id, r.received, r.method, r.query, r.headers, r.body";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function toStored(row: Row): StoredRequest {
  let body: string;
  let encoding: StoredRequest["body_encoding"] = "utf-8";
  try {
    body = utf8.decode(row.body);
  } catch {
    body = Buffer.from(row.body).toString("base64");
    encoding = "base64";
  }
  return {
    event_id: row.event_id,
    webhook_id: row.webhook_id,
    received: new Date(row.received).toISOString(),
    method: row.method,
    query: row.query,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body,
    body_encoding: encoding,
  };
}

export class RawRequestReader {
  private readonly byEvent: Statement<Row, [string]>;
  private readonly byWebhook: Statement<Row, [string, number]>;

  constructor(client: Database) {
    this.byEvent = client.prepare(`SELECT ${COLUMNS} FROM events e JOIN raw_requests r ON r.event_seq = e.seq WHERE e.id = ?`);
    this.byWebhook = client.prepare(
      `SELECT ${COLUMNS} FROM raw_requests r JOIN events e ON e.seq = r.event_seq WHERE r.webhook_id = ? ORDER BY r.event_seq DESC LIMIT ?`,
    );
  }

  request(eventId: string): StoredRequest | null {
    const row = this.byEvent.get(eventId);
    return row ? toStored(row) : null;
  }

  recent(webhookId: string, limit: number): StoredRequest[] {
    return this.byWebhook.all(webhookId, limit).map(toStored);
  }
}

/**
 * Deletes one batch of kept requests received before `cutoff`; returns how many. Rows are in
 * commit order (their event's seq), which is the order of receipt, so the expired ones come first.
 */
export function deleteExpiredRequests(client: Database, cutoff: number, batch: number): number {
  const rows = client
    .query<{ event_seq: number; received: number }, [number]>("SELECT event_seq, received FROM raw_requests ORDER BY event_seq LIMIT ?")
    .all(batch);
  const expired = rows.filter((r) => r.received < cutoff).map((r) => r.event_seq);
  if (expired.length === 0) return 0;
  client.query(`DELETE FROM raw_requests WHERE event_seq IN (${expired.map(() => "?").join(",")})`).run(...expired);
  return expired.length;
}
