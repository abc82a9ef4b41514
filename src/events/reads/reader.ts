// The SQLite store's filter reads (pages, counts, the live feed's backfill) on a thread of their
// own. A broad filter over a large store can take seconds (a text query of many short terms over
// 200,000 events: 10 s), and SQLite runs a query on the thread that asked for it: on the request
// thread, every webhook would wait meanwhile. A worker with its own connection (query_only) runs
// them, one at a time. A read waits in line at most its wait limit, then is answered 503 (another
// read is slow, not this one); once running, a read not done within its time limit is answered
// 503: the worker's SQL stops it at its deadline (store/read-deadline.ts). Both carry Retry-After. A
// statement that does not stop (its slow part out of the check's reach) has its worker let go; a
// fresh one takes the next read once the old thread has finished that statement, so reads never
// use two threads.
// A database in memory (tests, offline tools) cannot be shared with a thread: its reads run inline.
import { join } from "node:path";
import { DEFAULT_READ_WAIT_MS } from "../../config.ts";
import { databaseFile, type Db } from "../../db/open.ts";
import { AppError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { ReadRefused } from "../store/event-store.ts";
import { runRead, type FromReadWorker, type ReadFailure, type ReadJob, type ReadResult, type ToReadWorker } from "./read-jobs.ts";

/** Reads waiting for the worker; past this, a read is refused at once (429) rather than queued. */
export const MAX_WAITING_READS = 64;

/**
 * How long past its deadline a running read may take to stop by itself (read-deadline.ts) before
 * its worker is let go: for a statement whose slow part the deadline check does not reach.
 */
export const DEADLINE_GRACE_MS = 2000;

/** In the compiled binary the worker is a second entrypoint (see package.json's build script). */
const workerEntry = () =>
  Bun.isStandaloneExecutable ? join(import.meta.dir, "events", "reads", "read-worker.js") : join(import.meta.dir, "read-worker.ts");

interface Pending {
  job: ReadJob;
  resolve: (result: ReadResult) => void;
  reject: (err: Error) => void;
  /** Epoch ms when its time is up: its wait limit while it waits, its time limit once it runs. */
  deadline: number;
  timer: Timer;
}

export class EventReader {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  /**
   * A stopped worker still finishing its statement: terminating a worker does not interrupt SQLite
   * (bun:sqlite has no sqlite3_interrupt), so the thread runs on until the statement ends. No new
   * worker starts until it is gone, so reads never take more than one thread.
   */
  private retiring: Worker | null = null;
  private readonly queue: Pending[] = [];
  private running: { id: number; pending: Pending } | null = null;
  private nextId = 1;
  private closed = false;
  private readonly inline: boolean;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
    private readonly waitMs = DEFAULT_READ_WAIT_MS,
  ) {
    const file = databaseFile(db);
    this.inline = file === "" || file === ":memory:";
  }

  /** Stops the worker; reads still waiting are answered 503. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping = new AppError("unavailable", "The server is stopping");
    for (const p of this.queue.splice(0)) this.settle(p).reject(stopping);
    if (this.running) this.settle(this.running.pending).reject(stopping);
    this.running = null;
    this.stopWorker();
  }

  /** Runs a read of the store's (read-jobs.ts) on the worker, in line behind the reads before it. */
  run(job: ReadJob): Promise<ReadResult> {
    if (this.inline) {
      try {
        return Promise.resolve(runRead(this.db, job));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.closed) return Promise.reject(new AppError("unavailable", "The server is stopping"));
    if (this.queue.length >= MAX_WAITING_READS) {
      return Promise.reject(
        new ReadRefused("too_many_requests", `${MAX_WAITING_READS} reads are already waiting; retry shortly`, this.retryAfter()),
      );
    }
    // A live feed's backfill waits as long as it may run: a feed ends on a query timeout only.
    const wait = job.kind === "backfill" ? this.timeoutMs : this.waitMs;
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, resolve, reject, deadline: Date.now() + wait, timer: setTimeout(() => this.expire(pending), wait) };
      this.queue.push(pending);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running || this.retiring || this.queue.length === 0 || this.closed) return;
    const pending = this.queue.shift()!;
    const id = this.nextId++;
    // Its own time starts now: the wait behind other reads is not held against it.
    clearTimeout(pending.timer);
    pending.deadline = Date.now() + this.timeoutMs;
    pending.timer = setTimeout(() => this.expire(pending), this.timeoutMs);
    this.running = { id, pending };
    try {
      await this.start();
    } catch (err) {
      this.logger.error("event reads: the read worker did not start", { error: String(err) });
      if (this.running?.id === id) this.finish(id)?.reject(new AppError("unavailable"));
      return void this.pump();
    }
    if (this.running?.id === id)
      this.worker!.postMessage({ type: "read", id, job: pending.job, deadline: pending.deadline } satisfies ToReadWorker);
  }

  /** Clears a read's timer; the caller answers it. */
  private settle(pending: Pending): Pending {
    clearTimeout(pending.timer);
    return pending;
  }

  /** Takes the running read off the books if it is `id`. */
  private finish(id: number): Pending | null {
    if (this.running?.id !== id) return null;
    const { pending } = this.running;
    this.running = null;
    return this.settle(pending);
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(workerEntry());
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<FromReadWorker>) => {
        const msg = e.data;
        if (msg.type === "ready") return resolve();
        const pending = this.finish(msg.id);
        if (!pending) return;
        if (msg.type === "done") pending.resolve(msg.result);
        else pending.reject(this.toError(msg.failure));
        void this.pump();
      };
      worker.onerror = (e) => {
        reject(e);
        this.logger.error("event reads: the read worker failed", { error: e.message });
        this.stopWorker();
        if (this.running) this.finish(this.running.id)?.reject(new AppError("internal"));
        void this.pump();
      };
    });
    worker.postMessage({ type: "open", path: databaseFile(this.db) } satisfies ToReadWorker);
    return this.ready;
  }

  /**
   * A read's time is up. Still waiting: answered 503 now, as busy. Running: the worker stops it
   * itself within milliseconds and answers 503 (read-deadline.ts); if it has not after
   * DEADLINE_GRACE_MS, the read is answered 503 and its worker let go.
   */
  private expire(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      if (pending.job.kind === "backfill") return pending.reject(this.timeoutError());
      const seconds = this.waitMs / 1000;
      return pending.reject(
        new ReadRefused("unavailable", `Other reads kept this one waiting ${seconds} s; retry shortly.`, this.retryAfter()),
      );
    }
    if (this.running?.pending === pending) pending.timer = setTimeout(() => this.abandon(pending), DEADLINE_GRACE_MS);
  }

  private abandon(pending: Pending): void {
    if (this.running?.pending !== pending) return;
    this.running = null;
    pending.reject(this.timeoutError());
    this.logger.warn("event reads: a read did not stop at its deadline; its worker is let go", {
      seconds: this.timeoutMs / 1000,
      kind: pending.job.kind,
    });
    const worker = this.worker;
    this.stopWorker();
    if (worker) {
      this.retiring = worker;
      worker.addEventListener("close", () => {
        this.retiring = null;
        void this.pump();
      });
    }
  }

  /**
   * A query stopped at its time limit would only be stopped again: its Retry-After is that limit,
   * so that a client retrying it unchanged does not keep the worker busy.
   */
  private timeoutError(): AppError {
    const seconds = this.timeoutMs / 1000;
    return new ReadRefused(
      "query_timeout",
      `The query did not finish within ${seconds} s and was stopped. Narrow it: a shorter time window, fewer or longer text terms.`,
      Math.ceil(seconds),
    );
  }

  /** When the worker should be free again: the running read's deadline (whole seconds, at least 1). */
  private retryAfter(): number {
    const until = this.running ? this.running.pending.deadline - Date.now() : 0;
    return Math.max(1, Math.ceil(until / 1000));
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
  }

  private toError(failure: ReadFailure): Error {
    if ("code" in failure)
      return failure.code === "query_timeout" ? this.timeoutError() : new AppError(failure.code, failure.message, failure.details);
    this.logger.error("event reads: a read failed", { error: failure.internal });
    return new AppError("internal");
  }
}
