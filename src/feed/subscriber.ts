// One subscription to the live feed: its way out (a Transport: the websocket or the event stream),
// the backfill it is sent first, and the bounded queue of live events waiting while its connection
// is congested. The feed (feed.ts) offers it each batch's matching events.
import { eventJson } from "../events/model.ts";
import type { EventFilter } from "../events/filter/filter.ts";
import type { StoredEvent } from "../events/store/event-store.ts";
import type { Transport } from "./feed.ts";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Subscriber {
  private queue: (StoredEvent | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  private live = false;
  private congested = false;
  private waiter: (() => void) | null = null;
  ended = false;

  constructor(
    readonly filter: EventFilter,
    /** Subscribers with equal filters share one matching pass per batch. */
    readonly filterKey: string,
    /** Events up to this sequence number belong to the backfill; later ones arrive live. */
    readonly horizon: number,
    readonly transport: Transport,
  ) {}

  /** Takes the batch's events that match its filter: sent at once when it can, else queued. False when the queue overflowed. */
  offer(matching: StoredEvent[], maxEvents: number, maxBytes: number): boolean {
    let i = 0;
    // The common case, a live reader with nothing waiting, skips the queue.
    if (this.live && !this.congested && this.head === this.queue.length) {
      const run = () => {
        for (; i < matching.length && !this.congested; i++) {
          if (matching[i]!.seq > this.horizon && !this.transport.send(matching[i]!)) this.congested = true;
        }
      };
      if (this.transport.cork) this.transport.cork(run);
      else run();
    }
    for (; i < matching.length; i++) {
      const item = matching[i]!;
      if (item.seq <= this.horizon) continue;
      this.queue.push(item);
      this.bytes += eventJson(item.event).length;
    }
    return this.queue.length - this.head <= maxEvents && this.bytes <= maxBytes;
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** The transport can take more (websocket drained, stream pulled). */
  resume(): void {
    this.congested = false;
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter();
    else if (this.live) this.pump();
  }

  /** Sends the backfill (if any), then what arrived meanwhile, then goes live. */
  async start(pages: AsyncIterable<StoredEvent[]> | null): Promise<void> {
    if (pages) {
      for await (const page of pages) {
        for (const item of page) {
          if (this.ended) return;
          if (!this.transport.send(item)) await new Promise<void>((resolve) => ((this.congested = true), (this.waiter = resolve)));
        }
        // Between pages, let ingestion and the other subscribers run.
        await nextTurn();
      }
    }
    if (this.ended) return;
    this.live = true;
    this.pump();
  }

  /** Stops all sending; the feed calls it when the subscription ends for whatever reason. */
  stop(): void {
    this.ended = true;
    this.queue = [];
    this.head = this.bytes = 0;
    this.waiter?.();
    this.waiter = null;
  }

  private pump(): void {
    const run = () => {
      while (!this.ended && !this.congested && this.head < this.queue.length) {
        const item = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        this.bytes -= eventJson(item.event).length;
        if (!this.transport.send(item)) this.congested = true;
      }
    };
    if (this.transport.cork && this.head < this.queue.length) this.transport.cork(run);
    else run();
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
