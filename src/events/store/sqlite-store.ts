// The event store on SQLite (event-store.ts says what a store does): the events and event_resources
// tables and the word index, written through the group commit on the server's connection
// (committer.ts says why there) and read by filters on a worker thread with a connection of its own
// (reads/reader.ts), which runs the functions of this folder there.
import type { Statement } from "bun:sqlite";
import { DEFAULT_READ_TIMEOUT_MS, DEFAULT_READ_WAIT_MS } from "../../config.ts";
import type { Db } from "../../db/open.ts";
import { parseJsonExact } from "../../json.ts";
import { silentLogger, type Logger } from "../../log.ts";
import type { Event } from "../model.ts";
import { EventReader } from "../reads/reader.ts";
import { InlineCommitter, type Committer } from "./committer.ts";
import type {
  BackfillQuery,
  BackfillStep,
  CountByQuery,
  EventStore,
  PageQuery,
  PageRows,
  RawRequest,
  RetentionSchedule,
  StoredEvent,
  StoredRequest,
  TextIndexSchedule,
} from "./event-store.ts";
import { parseStored } from "./event-store.ts";
import { GroupCommitWriter, type Publisher } from "./group-commit.ts";
import { RawRequestReader } from "./raw-requests.ts";
import { startRetention } from "./retention.ts";
import { EventRowWriter, joinStored, toRow } from "./rows.ts";
import { startTextIndexer } from "./text-index.ts";

export interface SqliteStoreOptions {
  logger?: Logger;
  /** Where committed events go, in commit order (the live feed's bus). */
  bus?: Publisher;
  /** Most events waiting for the group commit; past it, writes are refused. */
  maxQueue?: number;
  /** A filter read's time limit once it runs, and how long it may wait behind others. */
  readTimeoutMs?: number;
  readWaitMs?: number;
  /** Runs the group commits' transactions; on this connection unless given. */
  committer?: Committer;
}

export class SqliteEventStore implements EventStore {
  private readonly rows: EventRowWriter;
  private readonly raw: RawRequestReader;
  private readonly selectById: Statement<{ data: string }>;
  private readonly selectSeq: Statement<{ seq: number }>;
  private readonly selectLastSeq: Statement<{ seq: number }>;
  private readonly selectAfter: Statement<{ seq: number; data: string }, [number, number]>;
  private readonly selectCount: Statement<{ n: number }>;
  private readonly committer: Committer;
  private readonly writer: GroupCommitWriter;
  private readonly reader: EventReader;

  constructor(
    readonly db: Db,
    opts: SqliteStoreOptions = {},
  ) {
    const client = db.$client;
    const logger = opts.logger ?? silentLogger;
    this.rows = new EventRowWriter(client);
    this.raw = new RawRequestReader(client);
    this.selectById = client.prepare("SELECT data FROM events WHERE id = ?");
    this.selectSeq = client.prepare("SELECT seq FROM events WHERE id = ?");
    // One MAX over the primary key.
    this.selectLastSeq = client.prepare("SELECT coalesce(max(seq), 0) AS seq FROM events");
    this.selectAfter = client.prepare("SELECT seq, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
    this.selectCount = client.prepare("SELECT count(*) AS n FROM events");
    this.committer = opts.committer ?? new InlineCommitter(client);
    this.writer = new GroupCommitWriter(this.committer, opts.bus ?? { publish: () => {} }, logger, { maxQueue: opts.maxQueue });
    this.reader = new EventReader(db, logger, opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS, opts.readWaitMs ?? DEFAULT_READ_WAIT_MS);
  }

  write(event: Event, raw?: RawRequest): Promise<StoredEvent | null> {
    return this.writer.write(event, raw);
  }

  hasRoom(count: number): boolean {
    return this.writer.hasRoom(count);
  }

  recentlyActive(ms: number): boolean {
    return this.writer.recentlyActive(ms);
  }

  drain(): Promise<void> {
    return this.writer.drain();
  }

  /**
   * Writes events at once in one transaction of their own, outside the group commit and without
   * publishing them (tests and tools); an event whose id is already stored is skipped.
   */
  insert(list: Event[]): StoredEvent[] {
    return this.db.$client.transaction(() => joinStored(list, this.rows.insert(list.map(toRow))))();
  }

  get(id: string): Event | null {
    const row = this.selectById.get(id);
    return row ? (parseJsonExact(row.data) as Event) : null;
  }

  /** How many events are stored (tests and tools). */
  count(): number {
    return this.selectCount.get()!.n;
  }

  /** Whether an event with this id is stored (tests and tools). */
  exists(id: string): boolean {
    return this.selectSeq.get(id) !== null;
  }

  lastSeq(): number {
    return this.selectLastSeq.get()!.seq;
  }

  seqOf(id: string): number | undefined {
    return this.selectSeq.get(id)?.seq;
  }

  after(seq: number, limit: number): StoredEvent[] {
    return this.selectAfter.all(seq, limit).map(parseStored);
  }

  page(query: PageQuery): Promise<PageRows> {
    return this.reader.run({ kind: "page", ...query }) as Promise<PageRows>;
  }

  countBy(query: CountByQuery): Promise<string> {
    return this.reader.run({ kind: "count", ...query }) as Promise<string>;
  }

  backfill(query: BackfillQuery): Promise<BackfillStep> {
    return this.reader.run({ kind: "backfill", ...query }) as Promise<BackfillStep>;
  }

  request(eventId: string): StoredRequest | null {
    return this.raw.request(eventId);
  }

  recentRequests(webhookId: string, limit: number): StoredRequest[] {
    return this.raw.recent(webhookId, limit);
  }

  startRetention(schedule: RetentionSchedule): () => void {
    return startRetention({ client: this.db.$client, ...schedule });
  }

  startTextIndexer(schedule: TextIndexSchedule): () => void {
    return startTextIndexer({ client: this.db.$client, ...schedule });
  }

  async close(): Promise<void> {
    await this.reader.close();
    await this.writer.drain();
    await this.committer.close();
  }
}
