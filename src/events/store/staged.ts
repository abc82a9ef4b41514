// Events decided inside another store's transaction (a firing, a delivery's outcome) and handed to
// the event store afterwards. Staging writes the event in the caller's transaction, so the decision
// and its event are durable together; `flush` then writes them through the group commit and deletes
// them. Each staged event has its id already, and the event store keeps one event per id, so a
// flush repeated after a crash stores each event once.
import { count, inArray, sql } from "drizzle-orm";
import { parseJsonExact } from "../../json.ts";
import type { Db } from "../../db/open.ts";
import { stagedEvents } from "../../db/schema.ts";
import type { Event } from "../model.ts";
import type { EventStore } from "./event-store.ts";

/** Staged events handed to the group commit at once. */
const FLUSH_BATCH = 500;

export class StagedEvents {
  private flushing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Records events to be written; call inside the transaction that decided them. */
  stage(events: Event[]): void {
    if (events.length === 0) return;
    const created = this.now();
    this.db
      .insert(stagedEvents)
      .values(events.map((event) => ({ id: event.id, data: JSON.stringify(event), created })))
      .onConflictDoNothing()
      .run();
  }

  /** How many events wait to be written. */
  pending(): number {
    return this.db.select({ n: count() }).from(stagedEvents).get()!.n;
  }

  /**
   * Writes every staged event to the event store, in the order they were staged, and forgets each
   * once committed. Calls made while a flush runs are folded into one more pass, so none is lost and
   * none runs twice at once.
   */
  flush(events: Pick<EventStore, "write">): Promise<void> {
    if (this.flushing) {
      this.again = true;
      // The pass in flight may have finished its last check of `again` already (it is only waiting
      // for `flushing` to be cleared): one more flush after it writes what was staged meanwhile.
      return this.flushing.then(() => (this.again ? this.flush(events) : undefined));
    }
    // Cleared by a callback, never inside the pass: a pass with nothing to write finishes before
    // `flushing` is even assigned, and clearing it there would leave it set for good.
    const pass = this.drain(events).finally(() => {
      this.flushing = null;
    });
    this.flushing = pass;
    return pass;
  }

  private async drain(events: Pick<EventStore, "write">): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        // Staging order is insertion order (rowid); ids and creation times may tie or run backwards.
        const rows = this.db.select().from(stagedEvents).orderBy(sql`rowid`).limit(FLUSH_BATCH).all();
        if (rows.length === 0) break;
        await this.writeInOrder(rows, events);
      }
    } while (this.again);
  }

  /**
   * Queues the rows together, so the group commit keeps their order, and forgets those committed.
   * A full write queue refuses at once: the rows from there on stay staged for a later flush (so
   * the order holds and each pass makes progress), and the flush fails with the refusal once the
   * rows already queued have committed; no write is left without someone awaiting it.
   */
  private async writeInOrder(rows: { id: string; data: string }[], events: Pick<EventStore, "write">): Promise<void> {
    const written: string[] = [];
    const queued: Promise<void>[] = [];
    let refusal: unknown = null;
    for (const row of rows) {
      try {
        queued.push(events.write(parseJsonExact(row.data) as Event).then(() => void written.push(row.id)));
      } catch (err) {
        refusal = err;
        break;
      }
    }
    const failed = (await Promise.allSettled(queued)).find((r) => r.status === "rejected");
    if (written.length > 0) this.db.delete(stagedEvents).where(inArray(stagedEvents.id, written)).run();
    if (refusal !== null) throw refusal;
    if (failed) throw failed.reason;
  }
}
