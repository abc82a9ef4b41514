// Who runs a group commit's transaction. Inline on the request thread (in-memory databases, tests),
// or on a worker thread with its own connection, so that the request thread never waits for the
// B-tree updates and the fsync of COMMIT (the server's file database).
import type { Database } from "bun:sqlite";
import { join } from "node:path";
import type { Event } from "../events/model.ts";
import { EventRowWriter, toRow, type EventRow } from "../events/rows.ts";
import { joinStored, type StoredEvent } from "../events/store.ts";
import type { Logger } from "../log.ts";

export interface Committer {
  /** Writes the events in one transaction; resolves once it has committed, rejects if it failed. */
  commit(events: Event[]): Promise<StoredEvent[]>;
  close(): Promise<void>;
}

export class InlineCommitter implements Committer {
  private readonly rows: EventRowWriter;

  constructor(private readonly client: Database) {
    this.rows = new EventRowWriter(client);
  }

  async commit(events: Event[]): Promise<StoredEvent[]> {
    const seqs = this.client.transaction(() => this.rows.insert(events.map(toRow)))();
    return joinStored(events, seqs);
  }

  async close(): Promise<void> {}
}

/** Messages between WorkerCommitter and commit-worker.ts. */
export type ToWorker = { type: "open"; path: string } | { type: "commit"; id: number; rows: EventRow[] } | { type: "close" };
export type FromWorker =
  | { type: "ready" }
  | { type: "done"; id: number; seqs: (number | null)[] }
  | { type: "failed"; id: number; message: string }
  | { type: "closed" };

interface Waiting {
  events: Event[];
  resolve: (stored: StoredEvent[]) => void;
  reject: (err: Error) => void;
}

/**
 * In the compiled binary the worker is a second entrypoint of the build (package.json "build"),
 * stored beside the bundled main module under /$bunfs/root, with the path it has under src/.
 */
function workerEntry(): string {
  return Bun.isStandaloneExecutable ? join(import.meta.dir, "ingest", "commit-worker.js") : join(import.meta.dir, "commit-worker.ts");
}

export class WorkerCommitter implements Committer {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed: (() => void) | null = null;

  constructor(private readonly path: string, private readonly logger: Logger) {}

  private start(): Promise<void> {
    const worker = new Worker(workerEntry());
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const msg = e.data;
        if (msg.type === "ready") return resolve();
        if (msg.type === "closed") return this.closed?.();
        const w = this.waiting.get(msg.id);
        if (!w) return;
        this.waiting.delete(msg.id);
        if (msg.type === "done") w.resolve(joinStored(w.events, msg.seqs));
        else w.reject(new Error(msg.message));
      };
      worker.onerror = (e) => {
        // A crashed worker fails what it held; the next commit starts a fresh one.
        this.logger.error("commit worker failed", { error: e.message });
        for (const w of this.waiting.values()) w.reject(new Error("commit worker failed"));
        this.waiting.clear();
        this.worker = null;
        this.ready = null;
        worker.terminate();
        reject(new Error("commit worker failed"));
      };
    });
    worker.postMessage({ type: "open", path: this.path } satisfies ToWorker);
    return this.ready;
  }

  async commit(events: Event[]): Promise<StoredEvent[]> {
    if (!this.worker || !this.ready) await this.start();
    else await this.ready;
    const rows = events.map(toRow);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { events, resolve, reject });
      this.worker!.postMessage({ type: "commit", id, rows } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      this.closed = resolve;
      worker.postMessage({ type: "close" } satisfies ToWorker);
    });
    worker.terminate();
    this.worker = null;
  }
}
