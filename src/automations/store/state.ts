// The engine's durable state (storage): the automation_state rows (each trigger's buckets, each
// composite's child firings, each automation's last firings) and the engine's watermark in
// `progress`. Every write here runs inside the engine's batch transaction, so state, watermark and
// firings become durable together.
import type { Statement } from "bun:sqlite";
import type { Db } from "../../db/open.ts";
import type { StateRow } from "../engine/evaluator.ts";

/** The engine's row in `progress`: the sequence number of the last event it evaluated. */
export const WATERMARK = "automations";

/** The row (trigger id "", an id no trigger has) holding an automation's last firing and resolution. */
const STATUS_BUCKET = "status";

export interface FiringTimes {
  last_triggered: number | null;
  last_resolved: number | null;
}

export class AutomationStateStore {
  private readonly upsert: Statement;
  private readonly remove: Statement;
  private readonly setProgress: Statement;

  constructor(private readonly db: Db) {
    const sqlite = db.$client;
    this.upsert = sqlite.prepare(
      `INSERT INTO automation_state (automation_id, trigger_id, bucket, data, due) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (automation_id, trigger_id, bucket) DO UPDATE SET data = excluded.data, due = excluded.due`,
    );
    this.remove = sqlite.prepare("DELETE FROM automation_state WHERE automation_id = ? AND trigger_id = ? AND bucket = ?");
    this.setProgress = sqlite.prepare(
      "INSERT INTO progress (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    );
  }

  /** The last evaluated event's sequence number, or null before the engine first ran. */
  watermark(): number | null {
    const row = this.db.$client.query("SELECT value FROM progress WHERE name = ?").get(WATERMARK) as { value: number } | null;
    return row?.value ?? null;
  }

  setWatermark(seq: number): void {
    this.setProgress.run(WATERMARK, seq);
  }

  /** Every automation's trigger state, by automation id. */
  load(): Map<string, StateRow[]> {
    const rows = this.db.$client
      .query(
        "SELECT automation_id AS automationId, trigger_id AS triggerId, bucket, data, due FROM automation_state WHERE trigger_id <> ''",
      )
      .all() as (StateRow & { automationId: string })[];
    const byAutomation = new Map<string, StateRow[]>();
    for (const { automationId, ...row } of rows) {
      const list = byAutomation.get(automationId);
      if (list) list.push(row);
      else byAutomation.set(automationId, [row]);
    }
    return byAutomation;
  }

  /** Writes a changed row, or deletes it (row null). */
  write(automationId: string, triggerId: string, bucket: string, row: StateRow | null): void {
    if (row) this.upsert.run(automationId, triggerId, bucket, row.data, row.due);
    else this.remove.run(automationId, triggerId, bucket);
  }

  /** Forgets an automation's trigger state (its trigger changed, or it was paused); keeps its firing times. */
  reset(automationId: string): void {
    this.db.$client.query("DELETE FROM automation_state WHERE automation_id = ? AND trigger_id <> ''").run(automationId);
  }

  firingTimes(): Map<string, FiringTimes> {
    const rows = this.db.$client
      .query("SELECT automation_id AS id, data FROM automation_state WHERE trigger_id = '' AND bucket = ?")
      .all(STATUS_BUCKET) as { id: string; data: string }[];
    return new Map(rows.map((r) => [r.id, JSON.parse(r.data) as FiringTimes]));
  }

  setFiringTimes(automationId: string, times: FiringTimes): void {
    this.upsert.run(automationId, "", STATUS_BUCKET, JSON.stringify(times), null);
  }
}
