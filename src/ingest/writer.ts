// Group commit: events from many requests share one transaction; each request is answered only
// after the transaction holding its event has committed (synchronous=FULL makes COMMIT durable).
import type { EventBus } from "../events/bus.ts";
import type { Event } from "../events/model.ts";
import type { EventStore, StoredEvent } from "../events/store.ts";
import type { Logger } from "../log.ts";

export class QueueFullError extends Error {
  constructor() {
    super("The write queue is full");
  }
}

export class StorageError extends Error {
  constructor(cause: unknown) {
    super("The event could not be stored", { cause });
  }
}

interface Pending {
  event: Event;
  resolve: (stored: StoredEvent | null) => void;
  reject: (err: StorageError) => void;
}

export interface WriterOptions {
  /** Largest batch in one transaction. */
  maxBatch?: number;
  /** Most events waiting; beyond it writes are refused (the sender gets 429 and retries). */
  maxQueue?: number;
}

export class GroupCommitWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxQueue: number;

  constructor(private readonly store: EventStore, private readonly bus: EventBus, private readonly logger: Logger, opts: WriterOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 512;
    this.maxQueue = opts.maxQueue ?? 20_000;
  }

  /**
   * Resolves once the event is committed (null if an event with its id was already stored);
   * rejects with StorageError if the commit failed. Throws QueueFullError at once when overloaded.
   */
  write(event: Event): Promise<StoredEvent | null> {
    if (this.queue.length >= this.maxQueue) throw new QueueFullError();
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current turn of the event loop: every request parsed in this turn joins the batch.
    // While a COMMIT's fsync blocks the thread, new requests pile up and make the next batch larger.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Commits everything queued now, in batches; safe to call at any time. */
  flush(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let stored: StoredEvent[];
      try {
        stored = this.store.insert(batch.map((p) => p.event));
      } catch (error) {
        this.logger.error("group commit failed; answering 503 to its requests", { error, events: batch.length });
        for (const p of batch) p.reject(new StorageError(error));
        continue;
      }
      const byId = new Map(stored.map((s) => [s.event.id, s]));
      for (const p of batch) p.resolve(byId.get(p.event.id) ?? null);
      this.bus.publish(stored);
    }
  }
}
