// In-process fan-out of committed events. Writers publish only after COMMIT ("store first, then
// broadcast"), in commit order; subscribers (the live feed) must not throw or block.
import type { StoredEvent } from "../events/store/event-store.ts";

export type Listener = (events: StoredEvent[]) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: StoredEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A faulty subscriber must never affect ingestion or the other subscribers.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
