// Everything a request handler may need, built once per server (or per test), and the one order in
// which it all stops. This is where the storage backend is chosen: the app itself sees the
// EventStore interface only.
import { ActionOutbox } from "./actions/store/outbox.ts";
import { DeliveryStore } from "./actions/store/deliveries.ts";
import { DestinationStore } from "./actions/store/destinations.ts";
import { systemResolver } from "./actions/worker/address.ts";
import { DeliveryWorker, type DeliveryWorkerOptions } from "./actions/worker/worker.ts";
import { Engine } from "./automations/engine/engine.ts";
import { AutomationStore } from "./automations/store/automations.ts";
import { ServiceAccountStore } from "./auth/service-accounts.ts";
import { SessionStore } from "./auth/sessions.ts";
import { SetupToken } from "./auth/setup.ts";
import { LoginThrottle } from "./auth/throttle.ts";
import { UserStore } from "./auth/users.ts";
import {
  DEFAULT_DELIVERY_BUSY_MS,
  DEFAULT_DELIVERY_BUSY_PER_SECOND,
  DEFAULT_DELIVERY_CONCURRENCY,
  DEFAULT_DELIVERY_CONCURRENCY_PER_DESTINATION,
  DEFAULT_DELIVERY_STOP_GRACE_MS,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_TEMPLATE_CACHE_SIZE,
  DEFAULT_TEXT_INDEX_BUSY_MS,
  DEFAULT_TEXT_INDEX_SERVE_BATCH,
  freezeConfig,
  type Config,
} from "./config.ts";
import type { DataDirLock } from "./db/lock.ts";
import { closeDatabase, type Db } from "./db/open.ts";
import type { EventStore } from "./events/store/event-store.ts";
import { SqliteEventStore } from "./events/store/sqlite-store.ts";
import { StagedEvents } from "./events/store/staged.ts";
import { EventBus } from "./feed/bus.ts";
import { Feed } from "./feed/feed.ts";
import { FailureLimiter } from "./ingest/failures.ts";
import { silentLogger, type Logger } from "./log.ts";
import { SettingsStore } from "./settings/store.ts";
import { TemplateCache } from "./templates/render.ts";
import { WebhookStore } from "./webhooks/store.ts";
import { SecretBox } from "./verification/secret-box.ts";
import { DedupKeys } from "./dedup/store.ts";

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface AppContext {
  /** Frozen: the base URL is final before the context exists (server.ts binds the port first). */
  config: Readonly<Config>;
  db: Db;
  logger: Logger;
  clock: Clock;
  /**
   * Events: written through the group commit (ingestion and POST /api/events), read by the events
   * API and the live feed, filter reads off the request thread.
   */
  events: EventStore;
  /** Committed events, in commit order, on their way to the live feed. */
  bus: EventBus;
  /** The live feed: its subscribers, shared by the websocket and the event stream. */
  feed: Feed;
  /** Events decided in another store's transaction, waiting to be written to the event store. */
  staged: StagedEvents;
  /** Actions of firings, waiting for the delivery worker. */
  outbox: ActionOutbox;
  automations: AutomationStore;
  /** Where actions are sent (secrets included: never hand one to a client as it is). */
  destinations: DestinationStore;
  /** The outbox's deliveries and their attempts, past the enqueue. */
  deliveries: DeliveryStore;
  /** Sends due deliveries; start() starts it, stop() stops it first. */
  deliveryWorker: DeliveryWorker;
  /** The automation engine: evaluates committed events against the automations (automations/engine/). */
  engine: Engine;
  serviceAccounts: ServiceAccountStore;
  /** Admin UI sign-in: users, their sessions, the first-run setup token and failed-login throttling. */
  users: UserStore;
  sessions: SessionStore;
  setup: SetupToken;
  loginThrottle: LoginThrottle;
  webhooks: WebhookStore;
  settings: SettingsStore;
  /** Compiled templates by source: ingestion, the playground and validation on save share it. */
  templates: TemplateCache;
  /** How many failure events each webhook may store (ingestion's refusals). */
  failureLimiter: FailureLimiter;
  /** Seals and opens webhook verification secrets with the data directory's key (secrets.key). */
  secrets: SecretBox;
  /** The dedup keys of stored events, per webhook, within the retention window. */
  dedup: DedupKeys;
  /** Starts the background work: the text indexer and the retention sweep (once; later calls do nothing). */
  start(): void;
  /**
   * Stops everything, in the order written at its definition (once; later calls return the same
   * promise). `requestsDone`, when given, settles once the server has finished its requests.
   */
  stop(requestsDone?: Promise<unknown>): Promise<void>;
}

/** The context on SQLite, as createContext builds it (tests and tools may use the store's extras). */
export type SqliteContext = AppContext & { events: SqliteEventStore };

export interface ContextOptions {
  config: Readonly<Config>;
  db: Db;
  logger?: Logger;
  clock?: Clock;
  /** The data directory's lock, released last by stop(). */
  lock?: DataDirLock;
  /** Start the background work at once (otherwise start() does; contexts for app.handle leave it off). */
  start?: boolean;
  /** The delivery worker's settings, over the defaults (tests shorten the timeout, pin the resolver). */
  delivery?: Partial<DeliveryWorkerOptions>;
  /** The data directory's secrets key; without one, a key that lives as long as the process (tests). */
  secrets?: SecretBox;
}

export function createContext(opts: ContextOptions): SqliteContext {
  const config = freezeConfig(opts.config);
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const db = opts.db;
  const bus = new EventBus();
  const events = new SqliteEventStore(db, {
    logger,
    bus,
    maxQueue: config.writeQueueLimit,
    readTimeoutMs: config.readTimeoutMs,
    readWaitMs: config.readWaitMs,
  });
  const feed = new Feed({ events, bus, logger });
  const staged = new StagedEvents(db, () => clock.now());
  const outbox = new ActionOutbox(db, staged);
  const automations = new AutomationStore(db, () => clock.now(), staged);
  const secrets = opts.secrets ?? new SecretBox();
  const destinations = new DestinationStore(db, () => clock.now(), secrets);
  const deliveries = new DeliveryStore(db);
  const templates = new TemplateCache(DEFAULT_TEMPLATE_CACHE_SIZE);
  // When an event other than the automations' own was last committed: the delivery worker gives
  // way to ingestion while it is recent (its own executed/failed events must not slow it down).
  let ingestedAt = -Infinity;
  bus.subscribe((batch) => {
    if (batch.some((stored) => !stored.event.event.startsWith("prefect-cloud.automation."))) ingestedAt = performance.now();
  });
  const deliveryWorker = new DeliveryWorker(
    { db, deliveries, destinations, automations, staged, events, templates, clock, logger },
    {
      concurrency: DEFAULT_DELIVERY_CONCURRENCY,
      perDestination: DEFAULT_DELIVERY_CONCURRENCY_PER_DESTINATION,
      timeoutMs: DEFAULT_DELIVERY_TIMEOUT_MS,
      busyPerSecond: DEFAULT_DELIVERY_BUSY_PER_SECOND,
      busy: () => performance.now() - ingestedAt < DEFAULT_DELIVERY_BUSY_MS,
      stopGraceMs: DEFAULT_DELIVERY_STOP_GRACE_MS,
      resolve: systemResolver,
      random: Math.random,
      ...opts.delivery,
    },
  );
  outbox.onQueued(() => deliveryWorker.wake());
  const engine = new Engine({ db, events, bus, staged, outbox, automations, clock, logger });

  let timers: (() => void)[] | null = null;
  let stopping: Promise<void> | null = null;
  function start(): void {
    if (timers || stopping) return;
    timers = [
      events.startTextIndexer({
        logger,
        batch: DEFAULT_TEXT_INDEX_SERVE_BATCH,
        busy: () => events.recentlyActive(DEFAULT_TEXT_INDEX_BUSY_MS),
      }),
      events.startRetention({
        retentionDays: config.retentionDays,
        rawRetentionDays: config.rawRetentionDays,
        now: () => clock.now(),
        logger,
      }),
    ];
    // Deliveries left pending by a stop or a crash are sent now.
    deliveryWorker.start();
    engine.start();
    // Events a crash left staged are written now (each is stored once, whatever happened before).
    void staged.flush(events).catch((error) => logger.error("could not write staged events", { error }));
  }

  /**
   * The order, and why. Before calling this the server stops accepting connections (its job, not
   * the context's); `requestsDone` is its promise that the requests in flight have finished.
   * 1. background timers: no indexing or retention sweep starts on a store about to close; the
   *    delivery worker takes no more deliveries, and its sends in flight get a bounded time to
   *    finish and be recorded, awaited with the requests at 3 (those still in flight after it stay
   *    pending for the next start);
   * 2. live feeds end: an open websocket or event stream would keep the server's graceful stop
   *    waiting for ever, so they end before the requests in flight are awaited;
   * 3. the requests in flight finish (`requestsDone`): they may still read and write events (a
   *    feed that joined meanwhile is ended too);
   * 4. staged events (a firing's, a delivery's) are handed to the event store, and the dedup keys
   *    and duplicate counts waiting for their batch are written;
   * 5. the read worker closes: reads still waiting are answered 503;
   * 6. the group commit drains: every event acknowledged or queued is committed, then the
   *    committer lets its connection go;
   * 7. the database closes;
   * 8. the data directory's lock is released last, so that no other server opens the database
   *    while this one still has it open.
   */
  function stop(requestsDone?: Promise<unknown>): Promise<void> {
    return (stopping ??= (async () => {
      for (const stopTimer of timers ?? []) stopTimer();
      const deliveriesStopped = deliveryWorker.stop();
      logger.debug("stopping: background work stopped");
      feed.close();
      logger.debug("stopping: live feeds ended");
      await requestsDone;
      // A feed whose handshake was in flight at step 2 may have joined since.
      feed.close();
      logger.debug("stopping: requests finished");
      await deliveriesStopped;
      await engine.stop();
      logger.debug("stopping: automation engine stopped");
      await staged.flush(events).catch((error) => logger.error("could not write staged events", { error }));
      ctx.dedup.flush();
      ctx.webhooks.flushDuplicates();
      await events.close();
      logger.debug("stopping: reads closed, group commit drained");
      closeDatabase(db);
      logger.debug("stopping: database closed");
      opts.lock?.release();
      logger.debug("stopping: data directory released");
    })());
  }

  const ctx: SqliteContext = {
    config,
    db,
    logger,
    clock,
    events,
    bus,
    feed,
    staged,
    outbox,
    automations,
    destinations,
    deliveries,
    deliveryWorker,
    engine,
    serviceAccounts: new ServiceAccountStore(db, () => clock.now()),
    users: new UserStore(db, () => clock.now()),
    sessions: new SessionStore(db, () => clock.now()),
    setup: new SetupToken(),
    loginThrottle: new LoginThrottle(() => clock.now()),
    webhooks: new WebhookStore(
      db,
      () => config.baseUrl,
      () => clock.now(),
    ),
    settings: new SettingsStore(db),
    templates,
    failureLimiter: new FailureLimiter(),
    secrets,
    dedup: new DedupKeys(
      db,
      () => clock.now() - config.retentionDays * 86_400_000,
      (error) => logger.error("could not record dedup keys", { error: String(error) }),
    ),
    start,
    stop,
  };
  if (opts.start) start();
  return ctx;
}
