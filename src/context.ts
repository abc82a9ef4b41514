// Everything a request handler may need, built once per server (or per test).
import { ServiceAccountStore } from "./auth/service-accounts.ts";
import { SessionStore } from "./auth/sessions.ts";
import { SetupToken } from "./auth/setup.ts";
import { LoginThrottle } from "./auth/throttle.ts";
import { UserStore } from "./auth/users.ts";
import type { Config } from "./config.ts";
import type { Db } from "./db/open.ts";
import { EventReader } from "./events/reader.ts";
import { EventStore } from "./events/store.ts";
import { InlineCommitter, type Committer } from "./ingest/committer.ts";
import { GroupCommitWriter } from "./ingest/writer.ts";
import { EventBus } from "./feed/bus.ts";
import { Feed } from "./feed/feed.ts";
import { silentLogger, type Logger } from "./log.ts";
import { SettingsStore } from "./settings/store.ts";
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
  events: EventStore;
  bus: EventBus;
  /** Group commit of events: ingestion and POST /api/events write through it. */
  writer: GroupCommitWriter;
  /** The events API's filter pages and counts, run off the request thread. */
  reader: EventReader;
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
  /** Run in order when the server stops, after it stopped accepting requests (e.g. flush pending commits). */
  onStop: (() => void | Promise<void>)[];
}

export interface ContextOptions {
  config: Config;
  db: Db;
  logger?: Logger;
  clock?: Clock;
  /** Runs group commits; inline on this thread unless the server passes a worker. */
  committer?: Committer;
}

export function createContext(opts: ContextOptions): AppContext {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const bus = new EventBus();
  const committer = opts.committer ?? new InlineCommitter(opts.db.$client);
  const writer = new GroupCommitWriter(committer, bus, logger, { maxQueue: opts.config.writeQueueLimit });
  const reader = new EventReader(opts.db, logger, opts.config.readTimeoutMs, opts.config.readWaitMs);
  const feed = new Feed({ db: opts.db, bus, logger, reader });
  return {
    config: opts.config,
    db: opts.db,
    logger,
    clock,
    events: new EventStore(opts.db),
    bus,
    writer,
    reader,
    feed,
    serviceAccounts: new ServiceAccountStore(opts.db, () => clock.now()),
    users: new UserStore(opts.db, () => clock.now()),
    sessions: new SessionStore(opts.db, () => clock.now()),
    setup: new SetupToken(),
    loginThrottle: new LoginThrottle(() => clock.now()),
    webhooks: new WebhookStore(opts.db, () => opts.config.baseUrl, () => clock.now()),
    settings: new SettingsStore(opts.db),
    onStop: [async () => {
      await reader.close();
      await writer.drain();
      await committer.close();
    }, () => feed.close()],
  };
}
