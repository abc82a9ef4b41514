// Automations (storage): the automations table, and nothing else touches it. An automation is kept
// as its JSON (`data`) with the columns the list and the engine sort or select on copied out.
// Every change stages its lifecycle event (lifecycle.ts) in the same transaction; whoever makes a
// change then calls `staged.flush(events)` so that the event reaches the event store. Listeners
// hear of every committed change, so that the engine reloads what changed.
import { asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/open.ts";
import { automations } from "../../db/schema.ts";
import { atomically } from "../../db/transaction.ts";
import { toIso } from "../../events/model.ts";
import type { StagedEvents } from "../../events/store/staged.ts";
import { lifecycleEvent } from "../lifecycle.ts";
import type { Automation, AutomationCore } from "../model.ts";

export type AutomationSort = "NAME_ASC" | "NAME_DESC" | "CREATED_DESC" | "UPDATED_DESC";

export interface AutomationQuery {
  sort?: AutomationSort;
  limit?: number;
  offset?: number;
  /** Any of these names, exactly. */
  names?: string[];
}

type Row = typeof automations.$inferSelect;

const ORDER = {
  NAME_ASC: [asc(automations.name), asc(automations.created)],
  NAME_DESC: [desc(automations.name), desc(automations.created)],
  CREATED_DESC: [desc(automations.created), sql`rowid DESC`],
  UPDATED_DESC: [desc(automations.updated), sql`rowid DESC`],
} as const;

export class AutomationStore {
  private readonly listeners = new Set<(id: string) => void>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly staged: StagedEvents,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  /** Hears the id of every automation created, changed or deleted, after the change is committed. */
  onChange(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(id: string): void {
    for (const listener of this.listeners) listener(id);
  }

  create(core: AutomationCore): Automation {
    const now = this.now();
    const automation = atomically(this.db, () => {
      const row = this.db
        .insert(automations)
        .values({ id: this.newId(), name: core.name, enabled: core.enabled, data: JSON.stringify(core), created: now, updated: now })
        .returning()
        .get();
      const created = toAutomation(row);
      this.staged.stage([lifecycleEvent("created", created, now)]);
      return created;
    });
    this.changed(automation.id);
    return automation;
  }

  /** Replaces everything a client writes; null when there is no such automation. A replaced automation is resumed by its `enabled`. */
  replace(id: string, core: AutomationCore): Automation | null {
    const now = this.now();
    const automation = atomically(this.db, () => {
      const row = this.db
        .update(automations)
        .set({ name: core.name, enabled: core.enabled, data: JSON.stringify(core), pausedReason: null, updated: now })
        .where(eq(automations.id, id))
        .returning()
        .get();
      if (!row) return null;
      const replaced = toAutomation(row);
      this.staged.stage([lifecycleEvent("updated", replaced, now)]);
      return replaced;
    });
    if (automation) this.changed(id);
    return automation;
  }

  /**
   * Pauses or resumes. `pausedReason` says why the engine paused it (null: a person did, or it was
   * resumed). Returns false when there is no such automation. Stages an `updated` event, which the
   * caller must flush.
   */
  setEnabled(id: string, enabled: boolean, pausedReason: string | null = null): boolean {
    const now = this.now();
    const found = atomically(this.db, () => {
      const current = this.db.select().from(automations).where(eq(automations.id, id)).get();
      if (!current) return false;
      const core = { ...(JSON.parse(current.data) as AutomationCore), enabled };
      const row = this.db
        .update(automations)
        .set({ enabled, data: JSON.stringify(core), pausedReason: enabled ? null : pausedReason, updated: now })
        .where(eq(automations.id, id))
        .returning()
        .get()!;
      this.staged.stage([lifecycleEvent("updated", toAutomation(row), now)]);
      return true;
    });
    if (found) this.changed(id);
    return found;
  }

  /** Deletes; false when there is no such automation. The `deleted` event carries the automation as it was. */
  delete(id: string): boolean {
    const now = this.now();
    const gone = atomically(this.db, () => {
      const row = this.db.delete(automations).where(eq(automations.id, id)).returning().get();
      if (row) this.staged.stage([lifecycleEvent("deleted", toAutomation(row), now)]);
      return row !== undefined;
    });
    if (gone) this.changed(id);
    return gone;
  }

  /** Deletes every automation whose `owner_resource` is `resource`, in one transaction; their ids. */
  deleteOwnedBy(resource: string): string[] {
    const now = this.now();
    const rows = atomically(this.db, () => {
      const deleted = this.db
        .delete(automations)
        .where(sql`json_extract(${automations.data}, '$.owner_resource') = ${resource}`)
        .returning()
        .all();
      this.staged.stage(deleted.map((row) => lifecycleEvent("deleted", toAutomation(row), now)));
      return deleted;
    });
    for (const row of rows) this.changed(row.id);
    return rows.map((row) => row.id);
  }

  get(id: string): Automation | null {
    const row = this.db.select().from(automations).where(eq(automations.id, id)).get();
    return row ? toAutomation(row) : null;
  }

  /** Why the engine paused it, or null. */
  pausedReason(id: string): string | null {
    return this.db.select({ reason: automations.pausedReason }).from(automations).where(eq(automations.id, id)).get()?.reason ?? null;
  }

  /** Every automation (the engine's load), oldest first. */
  list(): Automation[] {
    return this.db.select().from(automations).orderBy(asc(automations.created), sql`rowid`).all().map(toAutomation);
  }

  filter({ sort = "NAME_ASC", limit = 200, offset = 0, names }: AutomationQuery = {}): Automation[] {
    return this.db
      .select()
      .from(automations)
      .where(names ? inArray(automations.name, names) : undefined)
      .orderBy(...ORDER[sort])
      .limit(limit)
      .offset(offset)
      .all()
      .map(toAutomation);
  }

  count(): number {
    return this.db.select({ n: count() }).from(automations).get()!.n;
  }
}

function toAutomation(row: Row): Automation {
  const core = JSON.parse(row.data) as AutomationCore;
  return {
    id: row.id,
    created: toIso(row.created),
    updated: toIso(row.updated),
    ...core,
    name: row.name,
    enabled: row.enabled,
  };
}
