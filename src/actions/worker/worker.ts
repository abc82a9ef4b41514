// The delivery worker: takes due pending deliveries from the outbox, sends them off the request
// path, and records every attempt with the delivery's new state and its event in one transaction.
// It wakes when the outbox is notified, when a retry falls due (a timer on the injected clock's
// time), and when a send finishes. A delivery stays pending in the table while it is in flight,
// so a crash at any point leaves it to be sent again at start.
import type { Logger } from "../../log.ts";
import type { Clock } from "../../context.ts";
import { atomically } from "../../db/transaction.ts";
import type { Db } from "../../db/open.ts";
import type { EventStore } from "../../events/store/event-store.ts";
import type { StagedEvents } from "../../events/store/staged.ts";
import type { AutomationStore } from "../../automations/store/automations.ts";
import type { TemplateCache } from "../../templates/render.ts";
import { outcomeEvent } from "../events.ts";
import type { DeliveryRow, DeliveryStore } from "../store/deliveries.ts";
import type { DestinationStore } from "../store/destinations.ts";
import type { Resolver } from "./address.ts";
import { runDelivery, type RunResult } from "./run-action.ts";
import { send, type Attempt } from "./send.ts";
import { formatRequest } from "../destinations/format.ts";
import type { Destination } from "../destinations/model.ts";

export interface DeliveryWorkerOptions {
  /** Sends in flight at once, over all destinations. */
  concurrency: number;
  /** Sends in flight at once to one destination. */
  perDestination: number;
  /** A send with no complete answer by then failed. */
  timeoutMs: number;
  /** Deliveries started per second while ingestion is busy (it comes first). */
  busyPerSecond: number;
  /** Whether ingestion is busy now (the context watches committed events that are not the automations' own). */
  busy: () => boolean;
  /** How long stop() lets sends in flight finish; the rest stay pending. */
  stopGraceMs: number;
  resolve: Resolver;
  random: () => number;
  /** Tests may replace the wire. */
  send?: typeof send;
}

export interface DeliveryWorkerDeps {
  db: Db;
  deliveries: DeliveryStore;
  destinations: DestinationStore;
  automations: AutomationStore;
  staged: StagedEvents;
  events: Pick<EventStore, "write">;
  templates: TemplateCache;
  clock: Clock;
  logger: Logger;
}

/** How long an outcome may wait for others to be recorded with (a few milliseconds on a sync of ~10). */
export const RECORD_DELAY_MS = 5;
/**
 * The same while ingestion is busy: its group commit and the worker share one database connection
 * and its disk syncs, so outcomes then wait longer to be recorded in fewer, larger transactions.
 */
export const BUSY_RECORD_DELAY_MS = 250;

/** The longest the worker sleeps without looking at the table (a retry due later wakes it on time anyway). */
const MAX_SLEEP_MS = 60_000;

interface Finished {
  row: DeliveryRow;
  result: RunResult;
}

export class DeliveryWorker {
  private running = false;
  /** Set once stop() has recorded what finished in time: later results are dropped (left pending). */
  private closed = false;
  private stopped: Promise<void> | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perDestination = new Map<string, number>();
  private readonly finished: Finished[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pumpQueued = false;
  private recordQueued = false;
  private tokens: number;
  private tokensAt = performance.now();

  constructor(
    private readonly deps: DeliveryWorkerDeps,
    private readonly opts: DeliveryWorkerOptions,
  ) {
    this.tokens = opts.busyPerSecond;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.wake();
  }

  /** Looks for due deliveries soon (the outbox's notify, a retry asked for, a clock moved in a test). */
  wake(): void {
    if (!this.running || this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** How many sends are in flight. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Stops taking deliveries, lets those in flight finish for up to `stopGraceMs` and records them;
   * any still in flight then stay pending and are sent again at the next start.
   */
  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      this.running = false;
      if (this.timer) clearTimeout(this.timer);
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight.values()]),
        new Promise<void>((resolve) => (grace = setTimeout(resolve, this.opts.stopGraceMs))),
      ]);
      clearTimeout(grace);
      this.record();
      this.closed = true;
    })());
  }

  /** "Send test": one signed message to the destination now, outside the outbox (nothing is recorded). */
  async sendTest(destination: Destination): Promise<Attempt> {
    const now = this.deps.clock.now();
    if (destination.secrets_unreadable) {
      const error = "the destination's secrets were sealed with another secrets.key: set them again";
      return { ok: false, statusCode: null, response: null, error, durationMs: 0, retryAfterMs: null, final: "refused" };
    }
    const payload = JSON.stringify({
      type: "inlet.test",
      destination: { id: destination.id, name: destination.name },
      sent: new Date(now).toISOString(),
    });
    const { outgoing } = formatRequest(
      destination,
      { subject: "Test notification from Inlet", body: `A test of the destination "${destination.name}".`, payload, webhook_body: null },
      `msg_test_${crypto.randomUUID().replaceAll("-", "")}`,
      now,
    );
    return await (this.opts.send ?? send)(outgoing, {
      timeoutMs: this.opts.timeoutMs,
      resolve: this.opts.resolve,
      now: () => this.deps.clock.now(),
    });
  }

  /** Tokens for starting sends while ingestion is busy (a bucket refilled at busyPerSecond). */
  private allowance(room: number): number {
    if (!this.opts.busy()) return room;
    const t = performance.now();
    this.tokens = Math.min(this.opts.busyPerSecond, this.tokens + ((t - this.tokensAt) * this.opts.busyPerSecond) / 1000);
    this.tokensAt = t;
    return Math.min(room, Math.floor(this.tokens));
  }

  private pump(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.deps.clock.now();
    const room = this.opts.concurrency - this.inFlight.size;
    if (room <= 0) return; // a finishing send pumps again
    const allowed = this.allowance(room);
    let started = 0;
    let waiting = false;
    if (allowed > 0) {
      const busyDestinations = [...this.perDestination].filter(([, n]) => n >= this.opts.perDestination).map(([id]) => id);
      const rows = this.deps.deliveries.due(now, allowed + 1, [...this.inFlight.keys()], busyDestinations);
      for (const row of rows) {
        const key = row.destinationId ?? "";
        // Several due rows may share a destination with one slot left.
        if (key !== "" && (this.perDestination.get(key) ?? 0) >= this.opts.perDestination) continue;
        if (started >= allowed) {
          waiting = true;
          break;
        }
        this.begin(row);
        started++;
      }
      this.tokens -= started;
    } else waiting = true;
    this.sleep(waiting ? Math.ceil(1000 / this.opts.busyPerSecond) : null, now);
  }

  /** Sleeps until the next retry falls due (or `soon` ms when deliveries wait for their turn). */
  private sleep(soon: number | null, now: number): void {
    const next = this.deps.deliveries.nextDue();
    let delay = soon ?? MAX_SLEEP_MS;
    if (next !== null && next > now) delay = Math.min(delay, next - now);
    this.timer = setTimeout(() => this.pump(), Math.min(delay, MAX_SLEEP_MS));
  }

  private begin(row: DeliveryRow): void {
    const key = row.destinationId ?? "";
    this.perDestination.set(key, (this.perDestination.get(key) ?? 0) + 1);
    const done = (async () => {
      let result: RunResult;
      try {
        result = await runDelivery(
          row,
          {
            destination: (id) => this.deps.destinations.get(id),
            automations: this.deps.automations,
            templates: this.deps.templates,
            send: this.opts.send,
            random: this.opts.random,
          },
          { timeoutMs: this.opts.timeoutMs, resolve: this.opts.resolve, now: () => this.deps.clock.now() },
        );
      } catch (error) {
        // A bug, not a receiver's failure: the delivery stays pending and is tried again later.
        this.deps.logger.error("delivery: unexpected error", { delivery: row.id, error });
        this.release(row);
        return;
      } finally {
        // The receiver is free for the next send; the delivery stays in flight until recorded.
        this.perDestination.set(key, (this.perDestination.get(key) ?? 1) - 1);
      }
      if (this.closed) return;
      this.finished.push({ row, result });
      // The next sends start while this one waits to be recorded.
      this.wake();
      if (!this.recordQueued) {
        this.recordQueued = true;
        // Outcomes finishing within RECORD_DELAY_MS (BUSY_RECORD_DELAY_MS while ingestion is busy)
        // are recorded in one transaction: one disk sync for all of them, which is what a delivery
        // costs ingestion most.
        setTimeout(
          () => {
            this.recordQueued = false;
            if (this.closed) return;
            this.record();
            this.wake();
          },
          this.opts.busy() ? BUSY_RECORD_DELAY_MS : RECORD_DELAY_MS,
        );
      }
    })();
    this.inFlight.set(row.id, done);
  }

  private release(row: DeliveryRow): void {
    this.inFlight.delete(row.id);
  }

  /** Records the finished attempts, each with its delivery's state and event, then writes the events. */
  private record(): void {
    const batch = this.finished.splice(0);
    if (batch.length === 0) return;
    const { db, deliveries, destinations, staged, clock } = this.deps;
    try {
      atomically(db, () => {
        for (const { row, result } of batch) {
          const { outcome } = result;
          deliveries.record(outcome);
          if (outcome.status === "delivered") staged.stage([outcomeEvent(row, { ok: true, statusCode: result.statusCode }, outcome.at)]);
          if (outcome.status === "failed")
            staged.stage([outcomeEvent(row, { ok: false, reason: outcome.reason ?? "failed", statusCode: result.statusCode }, outcome.at)]);
          if (result.disableDestination) {
            const reason = "the receiver answered 410 Gone";
            destinations.disable(result.disableDestination, reason);
            const others = deliveries.failPendingFor(result.disableDestination, `destination disabled: ${reason}`, clock.now());
            staged.stage(others.map((other) => outcomeEvent(other, { ok: false, reason: `destination disabled: ${reason}` }, clock.now())));
          }
        }
      });
    } catch (error) {
      // Left pending: they are sent again (the at-least-once window), never lost.
      this.deps.logger.error("delivery: could not record outcomes", { count: batch.length, error });
    } finally {
      for (const { row } of batch) this.release(row);
    }
    void staged.flush(this.deps.events).catch((error) => this.deps.logger.error("could not write staged events", { error }));
  }
}
