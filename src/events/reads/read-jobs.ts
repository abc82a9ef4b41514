// What the read worker (read-worker.ts) is asked to do, and the messages between it and
// EventReader: each job is one of the store's filter reads, run on whichever connection it is
// given (the worker's own, or the server's for a database in memory).
import type { Db } from "../../db/open.ts";
import { AppError, type ErrorCode } from "../../errors.ts";
import { backfillStep } from "../store/backfill.ts";
import { countBy } from "../store/count-by.ts";
import type { BackfillQuery, BackfillStep, CountByQuery, PageQuery, PageRows } from "../store/event-store.ts";
import { queryPage } from "../store/query.ts";
import { ReadDeadlineError } from "../store/read-deadline.ts";

export type ReadJob = ({ kind: "page" } & PageQuery) | ({ kind: "count" } & CountByQuery) | ({ kind: "backfill" } & BackfillQuery);
/** A page's rows, count-by's JSON text, or a backfill's step. */
export type ReadResult = PageRows | string | BackfillStep;

export function runRead(db: Db, job: ReadJob): ReadResult {
  switch (job.kind) {
    case "backfill":
      return backfillStep(db, job.filter, job.horizon, job.afterSeq, job.cursor);
    case "page":
      return queryPage(db, job);
    case "count":
      // Serialized where it is read, as the pages' events are.
      return JSON.stringify(countBy(db, job.filter, job.countable, job.unit, job.interval, job.now));
  }
}

/** A failed read, as it crosses threads: a client error as it is, anything else only as text to log. */
export type ReadFailure = { code: ErrorCode; message: string; details?: Record<string, unknown> } | { internal: string };

export function describeFailure(err: unknown): ReadFailure {
  if (err instanceof AppError) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof ReadDeadlineError) return { code: "query_timeout", message: "" };
  return { internal: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}

/** Messages between EventReader and read-worker.ts. `deadline`: epoch ms when the read's time is up. */
export type ToReadWorker = { type: "open"; path: string } | { type: "read"; id: number; job: ReadJob; deadline: number };
export type FromReadWorker =
  | { type: "ready" }
  | { type: "done"; id: number; result: ReadResult }
  | { type: "failed"; id: number; failure: ReadFailure };
