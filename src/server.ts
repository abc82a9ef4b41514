// serve(): check the host, lock the data directory, open the database, listen, build the context
// and the app, and stop gracefully (the context's stop() holds the order).
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Server } from "bun";
import { websocket } from "elysia/ws";
import { createApp } from "./app.ts";
import { setupLink } from "./auth/setup.ts";
import { databasePath, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_REQUEST_BODY_BYTES, type Config } from "./config.ts";
import { createContext, type AppContext } from "./context.ts";
import { lockDataDir } from "./db/lock.ts";
import { closeDatabase, ensureDirectory, openDatabase, type Db } from "./db/open.ts";
import { createLogger, type Logger } from "./log.ts";
import { RequestLimits } from "./request-limits.ts";
import { SecretBox } from "./verification/secret-box.ts";

export interface RunningServer {
  url: string;
  ctx: AppContext;
  /** Requests in progress from one client address, or from all. */
  requestsInProgress(address?: string): number;
  /** Stops accepting, finishes in-flight requests and pending commits, closes the database. */
  stop(): Promise<void>;
}

/** Resolves a host name as listening will (injectable, so that tests need no DNS). */
export type HostLookup = (host: string) => Promise<unknown>;

export async function startServer(
  config: Readonly<Config>,
  logger: Logger = createLogger(config.logLevel, undefined, config.logFormat),
  lookup: HostLookup = dnsLookup,
): Promise<RunningServer> {
  const hostProblem = await checkHost(config.host, lookup);
  if (hostProblem) throw new Error(`cannot listen on ${config.host}:${config.port}: ${hostProblem}`);
  ensureDirectory(config.dataDir);
  const lock = lockDataDir(config.dataDir);
  let db: Db;
  try {
    db = openDatabase({ path: databasePath(config.dataDir) });
  } catch (err) {
    lock.release();
    throw err;
  }
  const limits = new RequestLimits({ bodyTimeoutMs: config.bodyTimeoutMs, maxRequestsPerAddress: config.maxRequestsPerAddress, logger });
  // The socket is bound before the context is built, so that with --port 0 the frozen config's base
  // URL names the real port. Requests reach `app` only once it exists: from Bun.serve returning to
  // `app` being set below nothing awaits, so no request can be dispatched in between.
  let app: ReturnType<typeof createApp> | null = null;
  let server: Server<unknown>;
  try {
    // Bun.serve, not Elysia's listen: that one hands most routes to Bun's own router, past any
    // wrapper of fetch, so not every request would pass the limits.
    server = Bun.serve({
      hostname: config.host,
      port: config.port,
      // Elysia's listen turns SO_REUSEPORT on, and with it a second server on this port starts
      // silently and the kernel shares new connections between the two.
      reusePort: false,
      idleTimeout: DEFAULT_IDLE_TIMEOUT_S,
      // Never Bun's error page with a stack trace.
      development: false,
      maxRequestBodySize: Math.max(config.maxBodyBytes * 2, DEFAULT_MAX_REQUEST_BODY_BYTES),
      fetch: limits.wrap((request) => app!.fetch(request)),
      // Elysia's dispatcher: a route that upgrades passes its handlers in the socket's data.
      websocket: websocket as unknown as Bun.WebSocketHandler<unknown>,
    });
  } catch (err) {
    closeDatabase(db);
    lock.release();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${listenProblem(err)}`);
  }
  const url = `http://${server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname}:${server.port}`;
  // With --port 0 the real port is known only now; the default base URL must name it.
  const baseUrl = config.port === 0 && config.baseUrl.endsWith(":0") ? url : config.baseUrl;
  let ctx: AppContext;
  try {
    ctx = createContext({ config: { ...config, baseUrl }, db, logger, lock, secrets: SecretBox.forDataDir(config.dataDir) });
    app = createApp(ctx);
  } catch (err) {
    server.stop(true);
    closeDatabase(db);
    lock.release();
    throw err;
  }
  // Routes reach the server through the app: to upgrade a websocket, to read a client's address.
  app.server = server as unknown as typeof app.server;
  ctx.start();
  logger.info(`inlet listening on ${url}`, { data: config.dataDir });
  if (ctx.users.count("admin") === 0) {
    // Printed at warn so that it shows at every log level but "silent"; the token is spent on use.
    logger.warn(`no admin user yet: open ${setupLink(ctx.config.baseUrl, ctx.setup.issue())} to create one (or run "inlet admin create")`);
  }

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop accepting first; the context then stops in its own order (context.ts), ending the
      // live feeds before it awaits the requests in flight, which an open feed would hold for ever.
      await ctx.stop(server.stop(false));
      logger.info("inlet stopped");
    })());
  return { url, ctx, stop, requestsInProgress: (address) => limits.requestsInProgress(address) };
}

/**
 * Why a host cannot be listened on, found before anything else is done (the runtime's own error
 * for these depends on the resolver: "ENOENT", "EINVAL"…). A literal address is checked as such and
 * never sent to a resolver: only digits and dots, or a colon, can only be meant as an address
 * (no host name has an all-numeric top-level label, RFC 3696 §2; none has a colon).
 */
async function checkHost(host: string, lookup: HostLookup): Promise<string | null> {
  if (isIP(host)) return null;
  if (/^[\d.]+$/.test(host) || host.includes(":")) return "not a valid address";
  try {
    await lookup(host);
    return null;
  } catch {
    return `cannot resolve host ${host}`;
  }
}

/** Why a socket could not listen, in words (the runtime's errors name the syscall and errno). */
function listenProblem(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case "EADDRINUSE":
      return "the port is in use";
    case "EADDRNOTAVAIL":
      return "this machine has no such address";
    case "EINVAL":
      return "not a valid address";
    case "EACCES":
      return "permission denied (ports below 1024 need privileges)";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** Runs until SIGINT/SIGTERM, then stops gracefully; resolves to the exit status (1 if stopping failed). */
export async function serveUntilSignal(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  // Listening for signals before the server starts: one that arrives as it starts (right after the
  // "listening" line) still stops it gracefully rather than ending the process mid-way.
  const signalled = new Promise<string>((resolve) => {
    // Each signal is handled once: a second Ctrl-C during a slow stop ends the process at once.
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  const running = await startServer(config, logger);
  const signal = await signalled;
  logger.info(`received ${signal}, stopping`);
  try {
    await running.stop();
    return 0;
  } catch (error) {
    logger.error("error while stopping", { error });
    return 1;
  }
}
