// The one module that reads flags and the environment: flags > environment > defaults.
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseHost } from "./http/host.ts";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 4280;
export const DEFAULT_DATA_DIR = "./inlet-data";
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
export const DEFAULT_RETENTION_DAYS = 30;
/** Days the request behind each hook event (method, headers, body) is kept; 0: not kept. */
export const DEFAULT_RAW_RETENTION_DAYS = 7;
export const DEFAULT_LOG_LEVEL = "info";
/** Log lines as text for people; `json` writes one object per line for a log shipper. */
export const DEFAULT_LOG_FORMAT = "text";
/** How far back a live-feed subscriber may ask for a backfill (Prefect: 15 minutes). */
export const DEFAULT_BACKFILL_MINUTES = 15;
/** Events waiting for a group commit; past this, hooks answer 429 with Retry-After (the sender retries). */
export const DEFAULT_WRITE_QUEUE_LIMIT = 20_000;
/** How long one events API read (a filter page, a count) may run before it is stopped with a 503. */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;
/**
 * How long a read may wait for the reads ahead of it before it is answered 503 with Retry-After:
 * shorter than a read's own time limit, so that one slow read does not time out those behind it.
 */
export const DEFAULT_READ_WAIT_MS = 10_000;

// ---- the request edge: which hosts are served, how large and deep an API body may be ----
/** Host names served besides the base URL's host, loopback and IP addresses (`--allowed-hosts`): none. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = [];
/** The largest JSON body the API reads; the server refuses any body past 16 MiB anyway. */
export const DEFAULT_API_MAX_JSON_BYTES = 16 * 1024 * 1024;
/** The deepest nesting of arrays and objects in an API body; the API's own shapes need a handful. */
export const DEFAULT_API_MAX_JSON_DEPTH = 32;

/** `--allowed-hosts`: comma-separated host names (no scheme, no port), lowercased. */
function hostList(raw: string): string[] {
  if (raw.trim() === "") return [];
  return raw.split(",").map((entry) => {
    const host = parseHost(entry.trim());
    if (!host || host.port !== null)
      throw new ConfigError(`allowed-hosts must be host names separated by commas (no scheme or port), got "${entry.trim()}"`);
    return host.hostname;
  });
}
// What one client may hold (request-limits.ts). A 1 MiB body arrives in 15 s at 70 KB/s; the cap
// is far below the file descriptors a server gets, and above a busy sender's connection pool.
/** How long a request's body may take to arrive; past it, 408 and the connection is closed. */
export const DEFAULT_BODY_TIMEOUT_MS = 15_000;
/** Requests in progress at once from one client address; past it, 429 and the connection is closed. 0: no cap. */
export const DEFAULT_MAX_REQUESTS_PER_ADDRESS = 256;

// ---- tunables with no flag: a server's working sizes and intervals ----
/** Compiled templates the app keeps (templates/render.ts TemplateCache): one per webhook in use. */
export const DEFAULT_TEMPLATE_CACHE_SIZE = 1000;
/** Failure events one webhook may store at once; then DEFAULT_FAILURES_PER_MINUTE (ingest/failures.ts). */
export const DEFAULT_FAILURE_BURST = 20;
export const DEFAULT_FAILURES_PER_MINUTE = 60;
/** An automation that fires more than this many times in DEFAULT_RUNAWAY_WINDOW_MS is paused (automations/engine/runaway.ts). */
export const DEFAULT_RUNAWAY_FIRINGS = 60;
export const DEFAULT_RUNAWAY_WINDOW_MS = 60_000;
/** Events the automation engine evaluates in one transaction (automations/engine/engine.ts). */
export const DEFAULT_ENGINE_BATCH = 2000;
/** How long the engine lets committed events gather before it evaluates them as one batch. */
export const DEFAULT_ENGINE_COALESCE_MS = 500;
/** Webhooks whose failure budget is tracked; past it the budgets start afresh (memory stays bounded). */
export const DEFAULT_FAILURE_WEBHOOKS_TRACKED = 10_000;
/** Events in one group-commit transaction (events/store/group-commit.ts). */
export const DEFAULT_COMMIT_BATCH = 1024;
/**
 * The text index catches up when no webhook has been written for DEFAULT_TEXT_INDEX_BUSY_MS:
 * acknowledging comes first, and text queries stay exact while the index lags (they read the
 * unindexed tail). A batch (this many events, at most 256 KB of them) is the most a request arriving
 * meanwhile waits: ≈3 ms for typical events, ≈100 ms for one of a megabyte.
 */
export const DEFAULT_TEXT_INDEX_SERVE_BATCH = 16;
export const DEFAULT_TEXT_INDEX_BUSY_MS = 100;
/** Seconds a connection may stay idle, as Elysia's listen sets it; the live feeds' heartbeats keep within it. */
export const DEFAULT_IDLE_TIMEOUT_S = 30;
/**
 * The server's hard ceiling on any request body (twice --max-body-bytes if that is larger). Ingest
 * bounds its own bodies (413 without reading them whole); this is the ceiling for the rest.
 */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;
// The delivery worker (actions/worker/): how much it sends at once, and how it gives way to ingestion.
/** Deliveries in flight at once, over all destinations (sent, or answered and waiting to be recorded). */
export const DEFAULT_DELIVERY_CONCURRENCY = 32;
/** Sends in flight at once to one destination (a slow receiver does not hold up the others). */
export const DEFAULT_DELIVERY_CONCURRENCY_PER_DESTINATION = 4;
/** A delivery succeeds with a 2xx within this (Svix's 15 s). */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;
/**
 * While an event other than the automations' own was committed within DEFAULT_DELIVERY_BUSY_MS,
 * at most this many deliveries start per second (bench/deliveries.ts measures what they cost).
 */
export const DEFAULT_DELIVERY_BUSY_PER_SECOND = 10;
export const DEFAULT_DELIVERY_BUSY_MS = 100;
/** How long stopping lets sends in flight finish; the rest stay pending for the next start. */
export const DEFAULT_DELIVERY_STOP_GRACE_MS = 5_000;
/*
 * Tunables owned by the module that uses them (exported and named there, no flag):
 * - live feed: DEFAULT_QUEUE_EVENTS, DEFAULT_QUEUE_BYTES, HEARTBEAT_MS (feed/feed.ts);
 *   STREAM_HIGH_WATER, RETRY_MS (feed/sse.ts); HANDSHAKE_TIMEOUT_MS, TERMINATE_AFTER_MS (feed/websocket.ts)
 * - events: MAX_PAGE_SIZE (events/page.ts), BACKFILL_PAGE_SIZE (events/store/backfill.ts),
 *   MAX_EVENTS_PER_POST (events/routes.ts), MAX_BUCKETS (events/count-buckets.ts),
 *   MAX_FILTER_VALUES, MAX_TEXT_QUERY_LENGTH (events/filter/filter.ts)
 * - storage: RETENTION_BATCH, RETENTION_INTERVAL_MS (events/store/retention.ts); TEXT_INDEX_BATCH,
 *   TEXT_INDEX_BATCH_BYTES, TEXT_INDEX_IDLE_MS, TEXT_INDEX_RETRY_MAX_MS (events/store/text-index.ts);
 *   MAX_WAITING_READS, DEADLINE_GRACE_MS (events/reads/reader.ts)
 * - sign-in: SESSION_TTL_MS, SESSION_RENEW_AFTER_MS (auth/sessions.ts); MAX_FAILURES,
 *   MAX_FAILURES_PER_ADDRESS, WINDOW_MS, TRUSTED_FOR_MS (auth/throttle.ts)
 * - templates: LIMITS, one render's budgets (templates/limits.ts)
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  baseUrl: string;
  maxBodyBytes: number;
  retentionDays: number;
  rawRetentionDays: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  backfillMinutes: number;
  writeQueueLimit: number;
  readTimeoutMs: number;
  allowedHosts: readonly string[];
  apiMaxJsonBytes: number;
  apiMaxJsonDepth: number;
  bodyTimeoutMs: number;
  maxRequestsPerAddress: number;
  readWaitMs: number;
}

/** Options as they arrive from the command line (strings) before resolution. */
export interface ServeFlags {
  host?: string;
  port?: string;
  "data-dir"?: string;
  "base-url"?: string;
  "max-body-bytes"?: string;
  "retention-days"?: string;
  "raw-retention-days"?: string;
  "log-level"?: string;
  "log-format"?: string;
  "allowed-hosts"?: string;
  "body-timeout-ms"?: string;
  "max-requests-per-address"?: string;
}

export class ConfigError extends Error {}

export type Env = Record<string, string | undefined>;

/** The process environment; read here only, and passed down from the entry point. */
export function processEnv(): Env {
  return process.env;
}

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** The settings, frozen: nothing changes them once resolved (the base URL for --port 0 included). */
export function resolveConfig(flags: ServeFlags = {}, env: Env = process.env): Readonly<Config> {
  const pick = (flag: keyof ServeFlags, envName: string) => flags[flag] ?? env[envName] ?? undefined;

  const host = pick("host", "INLET_HOST") ?? DEFAULT_HOST;
  const portRaw = pick("port", "INLET_PORT");
  const port = portRaw === undefined ? DEFAULT_PORT : integer("port", portRaw, 0, 65535);
  const dataDir = resolve(pick("data-dir", "INLET_DATA_DIR") ?? DEFAULT_DATA_DIR);
  const bodyRaw = pick("max-body-bytes", "INLET_MAX_BODY_BYTES");
  const maxBodyBytes = bodyRaw === undefined ? DEFAULT_MAX_BODY_BYTES : integer("max-body-bytes", bodyRaw, 1, 1 << 30);
  const retentionRaw = pick("retention-days", "INLET_RETENTION_DAYS");
  const retentionDays = retentionRaw === undefined ? DEFAULT_RETENTION_DAYS : integer("retention-days", retentionRaw, 1, 36_500);
  const rawRetentionRaw = pick("raw-retention-days", "INLET_RAW_RETENTION_DAYS");
  const rawRetentionDays =
    rawRetentionRaw === undefined ? DEFAULT_RAW_RETENTION_DAYS : integer("raw-retention-days", rawRetentionRaw, 0, 36_500);
  const logLevel = (pick("log-level", "INLET_LOG_LEVEL") ?? DEFAULT_LOG_LEVEL) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);

  const logFormat = (pick("log-format", "INLET_LOG_FORMAT") ?? DEFAULT_LOG_FORMAT) as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) throw new ConfigError(`log-format must be one of ${LOG_FORMATS.join(", ")}, got "${logFormat}"`);

  const bodyTimeoutRaw = pick("body-timeout-ms", "INLET_BODY_TIMEOUT_MS");
  const bodyTimeoutMs = bodyTimeoutRaw === undefined ? DEFAULT_BODY_TIMEOUT_MS : integer("body-timeout-ms", bodyTimeoutRaw, 1, 3_600_000);
  const perAddressRaw = pick("max-requests-per-address", "INLET_MAX_REQUESTS_PER_ADDRESS");
  const maxRequestsPerAddress =
    perAddressRaw === undefined ? DEFAULT_MAX_REQUESTS_PER_ADDRESS : integer("max-requests-per-address", perAddressRaw, 0, 1_000_000);

  const baseRaw = pick("base-url", "INLET_BASE_URL");
  const displayHost = host.includes(":") ? `[${host}]` : host;
  const baseUrl = (baseRaw ?? `http://${displayHost}:${port}`).replace(/\/+$/, "");
  if (baseRaw !== undefined && !/^https?:\/\/[^/]/.test(baseRaw))
    throw new ConfigError(`base-url must be an http(s) URL, got "${baseRaw}"`);

  return freezeConfig({
    host,
    port,
    dataDir,
    baseUrl,
    maxBodyBytes,
    retentionDays,
    rawRetentionDays,
    logLevel,
    logFormat,
    backfillMinutes: DEFAULT_BACKFILL_MINUTES,
    writeQueueLimit: DEFAULT_WRITE_QUEUE_LIMIT,
    readTimeoutMs: DEFAULT_READ_TIMEOUT_MS,
    allowedHosts: hostList(pick("allowed-hosts", "INLET_ALLOWED_HOSTS") ?? DEFAULT_ALLOWED_HOSTS.join(",")),
    apiMaxJsonBytes: DEFAULT_API_MAX_JSON_BYTES,
    apiMaxJsonDepth: DEFAULT_API_MAX_JSON_DEPTH,
    bodyTimeoutMs,
    maxRequestsPerAddress,
    readWaitMs: DEFAULT_READ_WAIT_MS,
  });
}

/** A frozen copy of `config` (the same object when it is frozen already). */
export function freezeConfig(config: Readonly<Config>): Readonly<Config> {
  if (Object.isFrozen(config) && Object.isFrozen(config.allowedHosts)) return config;
  return Object.freeze({ ...config, allowedHosts: Object.freeze([...config.allowedHosts]) });
}

/** Where a data directory keeps its database. */
export function databasePath(dataDir: string): string {
  return join(dataDir, "inlet.db");
}

export function resolveDataDir(flag: string | undefined, env: Env = process.env): string {
  return resolve(flag ?? env.INLET_DATA_DIR ?? DEFAULT_DATA_DIR);
}

// ---- client side (the CLI talking to a running server) ----

export interface ClientEnv {
  apiUrl?: string;
  apiKey?: string;
  configFile: string;
}

/** `inlet login` writes here: $XDG_CONFIG_HOME/inlet/config.json, else ~/.config/inlet/config.json. */
export function clientEnv(env: Env = process.env): ClientEnv {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return {
    apiUrl: env.INLET_API_URL || undefined,
    apiKey: env.INLET_API_KEY || undefined,
    configFile: join(configHome, "inlet", "config.json"),
  };
}
