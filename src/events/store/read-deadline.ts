// A time limit that SQLite itself checks. Stopping the read worker's thread cannot interrupt a
// statement that is running (bun:sqlite has no sqlite3_interrupt), so the worker's connection gets
// a SQL function that fails once the read's time is up, and a filter's WHERE clause calls it first
// (where.ts): a long scan stops within a few milliseconds of its deadline, and the worker lives on.
import type { Database } from "bun:sqlite";
import type { Db } from "../../db/open.ts";

/** The call put first in a filter's WHERE clause on a connection with a deadline. */
export const DEADLINE_SQL = "inlet_in_time()";

export class ReadDeadlineError extends Error {
  constructor() {
    super("The read's time is up");
    this.name = "ReadDeadlineError";
  }
}

const deadlines = new WeakMap<Database, { at: number }>();

/** Whether this connection's filters carry the deadline check. */
export const hasDeadline = (db: Db): boolean => deadlines.has(db.$client);

/** Gives the connection the check; returns how to set the deadline (epoch ms) of the next read. */
export function enableDeadline(db: Db): { set(at: number): void } {
  const client = db.$client;
  const deadline = { at: Infinity };
  let calls = 0;
  // Called for every row a filter looks at: reading the clock every 256th call keeps it cheap.
  client.function(DEADLINE_SQL.slice(0, -2), () => {
    if ((++calls & 255) === 0 && Date.now() > deadline.at) throw new ReadDeadlineError();
    return 1;
  });
  deadlines.set(client, deadline);
  return { set: (at) => void (deadline.at = at) };
}
