// What every connection to an Inlet database is set up with, whoever opens it.
import type { Database } from "bun:sqlite";

/** The per-connection settings every connection to an Inlet database needs (the read worker's too). */
export function configureConnection(client: Database): void {
  // FULL makes each COMMIT durable before a webhook is acknowledged; group commit keeps it affordable.
  client.exec("PRAGMA synchronous = FULL");
  client.exec("PRAGMA foreign_keys = ON");
  client.exec("PRAGMA busy_timeout = 5000");
  client.exec("PRAGMA temp_store = MEMORY");
}
