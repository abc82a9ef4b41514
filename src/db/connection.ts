// What every connection to an Inlet database is set up with, whoever opens it.
import type { Database } from "bun:sqlite";

/** How long a connection waits for another's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/** The per-connection settings every connection to an Inlet database needs (the read worker's too). */
export function configureConnection(client: Database): void {
  // FULL makes each COMMIT durable before a webhook is acknowledged; group commit keeps it affordable.
  client.exec("PRAGMA synchronous = FULL");
  client.exec("PRAGMA foreign_keys = ON");
  client.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  client.exec("PRAGMA temp_store = MEMORY");
}
