// The event store: everything Inlet keeps and reads of events, as the one surface a storage backend
// implements. SQLite's (sqlite-store.ts, with its statements in the files beside it) is the one
// there is; nothing outside this folder runs SQL on the events tables.
//
// Writes go through a group commit: events written in the same moment share one transaction, each
// write resolves once the transaction holding it has committed, and the committed events are then
// handed to the live feed, in commit order (store first, then broadcast). Filter reads (pages,
// counts, a feed's backfill) can take seconds over a large store, so they are asynchronous and must
// not hold up the thread that answers webhooks. Reads of one event may answer at once (Awaitable).
import { AppError, type ErrorCode } from "../../errors.ts";
import { parseJsonExact } from "../../json.ts";
import type { Logger } from "../../log.ts";
import type { Countable, TimeUnit } from "../count-buckets.ts";
import type { EventFilter } from "../filter/filter.ts";
import type { Event } from "../model.ts";

export type Awaitable<T> = T | Promise<T>;

/** An event as stored: its commit-order sequence number and the event itself. */
export interface StoredEvent {
  seq: number;
  event: Event;
}

/** A stored event as its row holds it: the JSON text, not parsed yet (rows cross threads as text). */
export interface EventRowText {
  seq: number;
  occurred: number;
  data: string;
}

/** The stored event a row holds, its integers past 2^53 kept exact. */
export const parseStored = (row: { seq: number; data: string }): StoredEvent => ({
  seq: row.seq,
  event: parseJsonExact(row.data) as Event,
});

/** One page of a filter's events, in the filter's order. */
export interface PageQuery {
  filter: EventFilter;
  limit: number;
  offset: number;
  /** The filter's total when known (a later page's, from its token): not counted again, and it lets the page pick the faster plan. */
  total?: number;
}

/** A page's events as one JSON array (serialized where they were read, numbers kept exact) and the filter's total. */
export interface PageRows {
  events: string;
  total: number;
}

/** Prefect's count-by (count-buckets.ts). */
export interface CountByQuery {
  filter: EventFilter;
  countable: Countable;
  unit: TimeUnit;
  interval: number;
  now: number;
}

/** Where the next backfill page starts: from `since`, skipping `skip` events (those already sent at that instant). */
export interface BackfillCursor {
  since: number;
  skip: number;
}

/** One page of a backfill, as row texts, and where the next one starts (null: this was the last). */
export interface BackfillStep {
  rows: EventRowText[];
  next: BackfillCursor | null;
}

/** One page of a live feed's backfill: the filter's events committed up to `horizon` (and after `afterSeq`), oldest first. */
export interface BackfillQuery {
  filter: EventFilter;
  horizon: number;
  afterSeq?: number;
  cursor: BackfillCursor;
}

/** A read refused for now (503, or 429 for a full line): Retry-After says when to try again. */
export class ReadRefused extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

/** Retention: an event expires once it occurred, or was received, more than `retentionDays` ago. */
export interface RetentionSchedule {
  retentionDays: number;
  /** Days the requests behind hook events are kept (0: they are not kept; any left are deleted). */
  rawRetentionDays?: number;
  now: () => number;
  logger: Logger;
}

/** Background indexing for the `text` filter, a batch at a time. */
export interface TextIndexSchedule {
  logger: Logger;
  batch?: number;
  /** While this says so, indexing waits: acknowledging webhooks comes first, the index catches up later. */
  busy?: () => boolean;
}

/** The request a hook event was made from, kept in the same transaction as the event. */
export interface RawRequest {
  webhookId: string;
  method: string;
  /** The query string, without its `?`. */
  query: string;
  /** As a template sees them: credentials dropped. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A kept request as the API returns it (`GET /api/events/{id}/request`). */
export interface StoredRequest {
  event_id: string;
  webhook_id: string;
  /** ISO-8601. */
  received: string;
  method: string;
  query: string;
  headers: Record<string, string>;
  /** The body as text when it is UTF-8, otherwise base64 (`body_encoding` says which). */
  body: string;
  body_encoding: "utf-8" | "base64";
}

export interface EventStore {
  /**
   * Stores an event with the next group commit, and the request it came from when given.
   * Resolves once it is committed (null if an event with its id was already stored: a retried
   * delivery is stored once); rejects with StorageError if the commit failed; throws
   * QueueFullError at once when too many events are waiting.
   */
  write(event: Event, raw?: RawRequest): Promise<StoredEvent | null>;
  /** Whether `count` more events fit in the write queue now (to refuse a batch whole rather than in part). */
  hasRoom(count: number): boolean;
  /** Whether an event was written in the last `ms` milliseconds (background work then waits). */
  recentlyActive(ms: number): boolean;
  /** Commits everything queued and waits for it. */
  drain(): Promise<void>;

  get(id: string): Awaitable<Event | null>;
  /**
   * The newest committed sequence number (0: none). Synchronous: the live feed reads it in the
   * same step as a subscriber joins, so that each event is either in the backfill or sent live.
   */
  lastSeq(): number;
  /** The sequence number of a stored event (ids are normalized UUIDs), undefined when it is not stored. */
  seqOf(id: string): Awaitable<number | undefined>;
  /**
   * Up to `limit` committed events with a sequence number above `seq`, in commit order: how the
   * automation engine reads what it has not evaluated yet.
   */
  after(seq: number, limit: number): Awaitable<StoredEvent[]>;

  /** A page of events, and the filter's exact total. */
  page(query: PageQuery): Promise<PageRows>;
  /** count-by's answer as JSON text. */
  countBy(query: CountByQuery): Promise<string>;
  backfill(query: BackfillQuery): Promise<BackfillStep>;

  /** The request a stored event was made from, when it is kept. */
  request(eventId: string): Awaitable<StoredRequest | null>;
  /** A webhook's most recent kept requests, newest first. */
  recentRequests(webhookId: string, limit: number): Awaitable<StoredRequest[]>;

  /** Deletes expired events from now on, periodically; returns a function that stops it. */
  startRetention(schedule: RetentionSchedule): () => void;
  /** Keeps the text filter's index caught up from now on; returns a function that stops it. */
  startTextIndexer(schedule: TextIndexSchedule): () => void;

  /** Stops reading, commits what is queued, lets the connections go (the server is stopping). */
  close(): Promise<void>;
}
