// Everything a request handler may need, built once per server (or per test). This is where the
// storage backend is chosen: the app itself sees the EventStore interface only.
import { ServiceAccountStore } from "./auth/service-accounts.ts";
import { SessionStore } from "./auth/sessions.ts";
import { SetupToken } from "./auth/setup.ts";
import { LoginThrottle } from "./auth/throttle.ts";
import { UserStore } from "./auth/users.ts";
import { DEFAULT_TEMPLATE_CACHE_SIZE, type Config } from "./config.ts";
import type { Db } from "./db/open.ts";
import type { EventStore } from "./events/store/event-store.ts";
import { SqliteEventStore } from "./events/store/sqlite-store.ts";
import { EventBus } from "./feed/bus.ts";
import { Feed } from "./feed/feed.ts";
import { silentLogger, type Logger } from "./log.ts";
import { SettingsStore } from "./settings/store.ts";
import { TemplateCache } from "./templates/render.ts";
import { WebhookStore } from "./webhooks/store.ts";

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface AppContext {
  config: Config;
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
  /** Run in order when the server stops, after it stopped accepting requests (e.g. flush pending commits). */
  onStop: (() => void | Promise<void>)[];
}

/** The context on SQLite, as createContext builds it (tests and tools may use the store's extras). */
export type SqliteContext = AppContext & { events: SqliteEventStore };

export interface ContextOptions {
  config: Config;
  db: Db;
  logger?: Logger;
  clock?: Clock;
}

export function createContext(opts: ContextOptions): SqliteContext {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const bus = new EventBus();
  const events = new SqliteEventStore(opts.db, {
    logger,
    bus,
    maxQueue: opts.config.writeQueueLimit,
    readTimeoutMs: opts.config.readTimeoutMs,
    readWaitMs: opts.config.readWaitMs,
  });
  const feed = new Feed({ events, bus, logger });
  return {
    config: opts.config,
    db: opts.db,
    logger,
    clock,
    events,
    bus,
    feed,
    serviceAccounts: new ServiceAccountStore(opts.db, () => clock.now()),
    users: new UserStore(opts.db, () => clock.now()),
    sessions: new SessionStore(opts.db, () => clock.now()),
    setup: new SetupToken(),
    loginThrottle: new LoginThrottle(() => clock.now()),
    webhooks: new WebhookStore(opts.db, () => opts.config.baseUrl, () => clock.now()),
    settings: new SettingsStore(opts.db),
    templates: new TemplateCache(DEFAULT_TEMPLATE_CACHE_SIZE),
    onStop: [() => events.close(), () => feed.close()],
  };
}
