// Group commit: events from many requests share one transaction; each request is answered only
// after the transaction holding its event has committed (synchronous=FULL makes COMMIT durable).
// One transaction is in flight at a time; whatever arrives meanwhile forms the next batch, so
// batches grow by themselves under load. A backend supplies the transaction (committer.ts).
import { DEFAULT_COMMIT_BATCH, DEFAULT_WRITE_QUEUE_LIMIT } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { Event } from "../model.ts";
import type { Committer } from "./committer.ts";
import type { RawRequest, StoredEvent } from "./event-store.ts";

/** Where committed events go, after COMMIT and in commit order (the live feed's bus). */
export interface Publisher {
  publish(events: StoredEvent[]): void;
}

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
  raw: RawRequest | undefined;
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
  private inFlight: Promise<void> | null = null;
  private scheduled = false;
  private lastWrite = -Infinity;
  private readonly maxBatch: number;
  private readonly maxQueue: number;

  constructor(
    private readonly committer: Committer,
    private readonly bus: Publisher,
    private readonly logger: Logger,
    opts: WriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? DEFAULT_COMMIT_BATCH;
    this.maxQueue = opts.maxQueue ?? DEFAULT_WRITE_QUEUE_LIMIT;
  }

  /**
   * Resolves once the event is committed (null if an event with its id was already stored);
   * rejects with StorageError if the commit failed. Throws QueueFullError at once when overloaded.
   */
  write(event: Event, raw?: RawRequest): Promise<StoredEvent | null> {
    if (this.queue.length >= this.maxQueue) throw new QueueFullError();
    this.lastWrite = performance.now();
    return new Promise((resolve, reject) => {
      this.queue.push({ event, raw, resolve, reject });
      this.schedule();
    });
  }

  /** Whether `count` more events fit in the queue now (to refuse a batch whole rather than in part). */
  hasRoom(count: number): boolean {
    return this.queue.length + count <= this.maxQueue;
  }

  /** Whether an event was written in the last `ms` milliseconds (background work then waits). */
  recentlyActive(ms: number): boolean {
    return performance.now() - this.lastWrite < ms;
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    // After the current turn of the event loop, so that every request parsed in this turn joins.
    setImmediate(() => {
      this.scheduled = false;
      this.commitNext();
    });
  }

  private commitNext(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = this.committer
      .commit(
        batch.map((p) => p.event),
        batch.map((p) => p.raw),
      )
      .then(
        (stored) => {
          const byId = new Map(stored.map((s) => [s.event.id, s]));
          for (const p of batch) p.resolve(byId.get(p.event.id) ?? null);
          // Store first, then broadcast: the feed only ever shows committed events, in commit order.
          this.bus.publish(stored);
        },
        (error) => {
          this.logger.error("group commit failed; answering 503 to its requests", { error: String(error), events: batch.length });
          for (const p of batch) p.reject(new StorageError(error));
        },
      )
      .finally(() => {
        this.inFlight = null;
        this.commitNext();
      });
  }

  /** Commits everything queued and waits for it (used on shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      if (!this.inFlight) this.commitNext();
      await this.inFlight;
    }
  }
}
