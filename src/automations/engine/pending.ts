// Where the engine's next batch comes from. Committed events arrive on the bus already parsed, in
// commit order; the engine keeps them while they continue its watermark without a gap and takes
// its batches from them. When they do not (at start-up, after a crash, or when more arrived than it
// keeps), it reads the events after its watermark from the event store instead. Either way a batch
// is the events right after the watermark, in order.
import type { EventStore, StoredEvent } from "../../events/store/event-store.ts";

/** Events kept from the bus; past this the engine reads from the store until it has caught up. */
export const MAX_KEPT_EVENTS = 20_000;

export class PendingEvents {
  private kept: StoredEvent[] = [];

  constructor(private readonly events: Pick<EventStore, "after">) {}

  /** The bus published committed events. */
  published(events: StoredEvent[]): void {
    if (this.kept.length + events.length > MAX_KEPT_EVENTS) this.kept = [];
    else for (const e of events) this.kept.push(e);
  }

  /** Events kept that the next batch has not taken. */
  get waiting(): boolean {
    return this.kept.length > 0;
  }

  /** Up to `limit` events after `watermark`, in commit order. */
  async next(watermark: number, limit: number): Promise<StoredEvent[]> {
    let drop = 0;
    while (drop < this.kept.length && this.kept[drop]!.seq <= watermark) drop++;
    if (drop > 0) this.kept.splice(0, drop);
    if (this.kept.length > 0 && this.kept[0]!.seq === watermark + 1) {
      // Only while there is no gap: a missing sequence number is read from the store.
      let n = 1;
      while (n < limit && n < this.kept.length && this.kept[n]!.seq === this.kept[n - 1]!.seq + 1) n++;
      return this.kept.splice(0, n);
    }
    return await this.events.after(watermark, limit);
  }
}
