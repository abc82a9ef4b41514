// Events decided inside another store's transaction (a firing, a delivery's outcome) and handed to
// the event store afterwards. Staging writes the event in the caller's transaction, so the decision
// and its event are durable together; `flush` then writes them through the group commit and deletes
// them. Each staged event has its id already, and the event store keeps one event per id, so a
// flush repeated after a crash stores each event once.
import { asc, count, inArray } from "drizzle-orm";
import { parseJsonExact } from "../../json.ts";
import type { Db } from "../../db/open.ts";
import { stagedEvents } from "../../db/schema.ts";
import type { Event } from "../model.ts";
import type { EventStore } from "./event-store.ts";

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
   * Writes every staged event to the event store and forgets it once committed. Calls made while
   * a flush runs are folded into one more pass, so none is lost and none runs twice at once.
   */
  flush(events: Pick<EventStore, "write">): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      // Yield first: with nothing staged the body would finish (and clear `flushing`) before the
      // assignment above, leaving a settled promise there that every later call would return.
      await Promise.resolve();
      try {
        do {
          this.again = false;
          for (;;) {
            const rows = this.db.select().from(stagedEvents).orderBy(asc(stagedEvents.created), asc(stagedEvents.id)).limit(500).all();
            if (rows.length === 0) break;
            await Promise.all(rows.map((row) => events.write(parseJsonExact(row.data) as Event)));
            this.db
              .delete(stagedEvents)
              .where(
                inArray(
                  stagedEvents.id,
                  rows.map((row) => row.id),
                ),
              )
              .run();
          }
        } while (this.again);
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }
}
