// The live event feed: the subscriber registry shared by the websocket (/api/events/out) and the
// event stream (/api/events/stream). Events come from the EventBus, i.e. after COMMIT and in commit
// order; each subscriber's filter is applied in memory and each has a bounded queue (subscriber.ts),
// so a reader that falls behind is disconnected instead of slowing ingestion or holding memory
// without bound. The context builds the one feed of an app; stopping the server closes it.
import { AppError, type EndReason } from "../errors.ts";
import type { EventFilter } from "../events/filter/filter.ts";
import { matchesFilter } from "../events/filter/match.ts";
import { RESOURCE_ID } from "../events/model.ts";
import type { EventStore, StoredEvent } from "../events/store/event-store.ts";
import type { Logger } from "../log.ts";
import { backfillPages } from "./backfill.ts";
import type { EventBus } from "./bus.ts";
import { Subscriber } from "./subscriber.ts";

/** Events one subscriber may have waiting before it is dropped (they are shared, so this costs pointers). */
export const DEFAULT_QUEUE_EVENTS = 10_000;
/** Bytes of event JSON one subscriber may have waiting: the real memory bound when events are large. */
export const DEFAULT_QUEUE_BYTES = 16 * 1024 * 1024;
/** Below the 30 s idle timeout of Elysia's listen and the 60 s of common proxies (nginx, ALBs). */
export const HEARTBEAT_MS = 15_000;

export type { EndReason };

/** One connection's way out: the websocket or the event stream. */
export interface Transport {
  /** Sends one event; false when the connection is congested: send nothing more until `resume()`. */
  send(item: StoredEvent): boolean;
  /** The feed ends the subscription: close the connection, saying why. */
  end(reason: EndReason, message: string): void;
  /** Keeps an idle connection alive (and may check the peer still is). */
  heartbeat(): void;
  /** Groups many sends into one write (the websocket's cork). */
  cork?(sends: () => void): void;
}

export interface FeedOptions {
  queueEvents?: number;
  queueBytes?: number;
  heartbeatMs?: number;
}

/** Subscribers with equal filters: one matching pass per event serves them all. */
interface Group {
  filter: EventFilter;
  subs: Set<Subscriber>;
  /** The resource ids under which the group is indexed (see requiredIds); null: checked for every event. */
  ids: string[] | null;
  /** This batch's matching events. */
  items: StoredEvent[];
  /** The event last matched against (an event can reach a group through several of its ids). */
  checked: StoredEvent | null;
}

/**
 * Ids one of which every event the filter matches involves (as its resource or a related one), or
 * null when it names none. Groups are indexed by them, so that 100 subscribers each following their
 * own webhook cost a lookup per event rather than 100 filter checks.
 */
export function requiredIds(filter: EventFilter): string[] | null {
  if (filter.resource?.id?.length) return filter.resource.id;
  for (const r of filter.related) {
    if (r.id?.length) return r.id;
    if (r.resources_in_roles?.length) return r.resources_in_roles.map(([id]) => id);
  }
  for (const a of filter.any_resource) if (a.id?.length) return a.id;
  return null;
}

export class Feed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly groups = new Map<string, Group>();
  private readonly byId = new Map<string, Set<Group>>();
  private readonly unindexed = new Set<Group>();
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly heartbeatMs: number;
  private detach: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly deps: { events: Pick<EventStore, "lastSeq" | "backfill">; bus: EventBus; logger: Logger },
    opts: FeedOptions = {},
  ) {
    this.maxEvents = opts.queueEvents ?? DEFAULT_QUEUE_EVENTS;
    this.maxBytes = opts.queueBytes ?? DEFAULT_QUEUE_BYTES;
    this.heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Joins the feed. Joining and reading the horizon happen in one synchronous step, so every event
   * is either at or below the horizon (the backfill's) or published to this subscriber afterwards:
   * nothing is lost or sent twice between the backfill and the live events.
   */
  subscribe(filter: EventFilter, transport: Transport, backfill?: { filter: EventFilter; afterSeq?: number }): Subscriber {
    const horizon = this.deps.events.lastSeq();
    const sub = new Subscriber(filter, JSON.stringify(filter), horizon, transport);
    this.subscribers.add(sub);
    this.join(sub);
    this.detach ??= this.deps.bus.subscribe(this.publish);
    this.timer ??= setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.timer.unref?.();
    // The store reads it off the request thread: a slow backfill filter holds up no webhook.
    const pages = backfill
      ? backfillPages(backfill.filter, (cursor) =>
          this.deps.events.backfill({ filter: backfill.filter, horizon, afterSeq: backfill.afterSeq, cursor }),
        )
      : null;
    sub.start(pages).catch((error) => {
      if (sub.ended) return; // the subscription (or the server) stopped while a page was being read
      const timedOut = error instanceof AppError && error.code === "query_timeout";
      if (!timedOut) this.deps.logger.error("live feed backfill failed", { error });
      if (timedOut) this.end(sub, "query_timeout", error.message);
      else this.end(sub, "shutdown", "Internal error while reading stored events");
    });
    return sub;
  }

  /** The connection went away: forget the subscriber. */
  unsubscribe(sub: Subscriber): void {
    sub.stop();
    if (this.subscribers.delete(sub)) this.leave(sub);
    if (this.subscribers.size > 0) return;
    this.detach?.();
    this.detach = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Ends every subscription (the server is stopping). */
  close(): void {
    for (const sub of [...this.subscribers]) this.end(sub, "shutdown", "The server is shutting down");
  }

  private end(sub: Subscriber, reason: EndReason, message: string): void {
    if (sub.ended) return;
    this.unsubscribe(sub);
    sub.transport.end(reason, message);
  }

  private join(sub: Subscriber): void {
    let group = this.groups.get(sub.filterKey);
    if (!group) {
      const ids = requiredIds(sub.filter);
      // A filter may name an id twice; the index holds it once.
      group = { filter: sub.filter, subs: new Set(), ids: ids && [...new Set(ids)], items: [], checked: null };
      this.groups.set(sub.filterKey, group);
      if (!group.ids) this.unindexed.add(group);
      else for (const id of group.ids) this.byId.get(id)?.add(group) ?? this.byId.set(id, new Set([group]));
    }
    group.subs.add(sub);
  }

  private leave(sub: Subscriber): void {
    const group = this.groups.get(sub.filterKey);
    if (!group || !group.subs.delete(sub) || group.subs.size > 0) return;
    this.groups.delete(sub.filterKey);
    this.unindexed.delete(group);
    for (const id of group.ids ?? []) {
      const set = this.byId.get(id)!;
      set.delete(group);
      if (set.size === 0) this.byId.delete(id);
    }
  }

  private readonly publish = (batch: StoredEvent[]): void => {
    const touched: Group[] = [];
    const consider = (group: Group, item: StoredEvent) => {
      if (group.checked === item) return;
      group.checked = item;
      if (!matchesFilter(group.filter, item.event)) return;
      if (group.items.length === 0) touched.push(group);
      group.items.push(item);
    };
    for (const item of batch) {
      for (const group of this.unindexed) consider(group, item);
      if (this.byId.size === 0) continue;
      const { resource, related } = item.event;
      this.byId.get(resource[RESOURCE_ID]!)?.forEach((group) => consider(group, item));
      for (const r of related) this.byId.get(r[RESOURCE_ID]!)?.forEach((group) => consider(group, item));
    }
    const tooSlow: Subscriber[] = [];
    for (const group of touched) {
      for (const sub of group.subs) if (!sub.offer(group.items, this.maxEvents, this.maxBytes)) tooSlow.push(sub);
      group.items = [];
      group.checked = null;
    }
    for (const sub of tooSlow) {
      this.deps.logger.warn("live feed subscriber dropped: too slow", { waiting: sub.waiting });
      this.end(sub, "too_slow", `Too slow: more than ${this.maxEvents} events or ${this.maxBytes >> 20} MiB waiting; reconnect to resume`);
    }
  };

  private heartbeat(): void {
    for (const sub of this.subscribers) sub.transport.heartbeat();
  }
}
