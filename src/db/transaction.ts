// One transaction across stores. Every store writes on the same connection, so the statements the
// stores run inside `fn` commit together or not at all; a transaction inside another becomes a
// savepoint (bun:sqlite's nesting). The engine uses it to record a firing, its deliveries, its
// events and its progress as one step.
import type { Db } from "./open.ts";

export function atomically<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn)();
}
