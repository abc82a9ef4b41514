// Opens the SQLite database, sets the PRAGMAs durability depends on, and applies migrations.
import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { configureConnection } from "./connection.ts";
import * as schema from "./schema.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/**
 * In the compiled binary the migrations are embedded with `--asset ./drizzle` and live under
 * `/$bunfs/root/drizzle`; in development they are the repository's `drizzle/` folder.
 */
export function migrationsFolder(): string {
  return Bun.isStandaloneExecutable ? join(import.meta.dir, "drizzle") : join(import.meta.dir, "..", "..", "drizzle");
}

/** The WAL file is cut back to this size after a checkpoint (it normally stays near 4 MiB). */
export const WAL_SIZE_LIMIT = 32 * 1024 * 1024;

export interface OpenOptions {
  /** `:memory:` for tests that do not need a file. */
  path: string;
  /** Skip migrations (only for tools that inspect a database they must not change). */
  readonly?: boolean;
}

export function openDatabase({ path, readonly = false }: OpenOptions): Db {
  if (path !== ":memory:" && !readonly) mkdirSync(dirname(path), { recursive: true });
  const client = new Database(path, readonly ? { readonly: true } : { create: true, readwrite: true, strict: true });
  if (!readonly) {
    // Must come first: auto_vacuum only takes effect on a database with no pages yet, and
    // switching to WAL already writes the first page.
    client.exec("PRAGMA auto_vacuum = INCREMENTAL");
    // WAL lets readers run beside the single writer.
    client.exec("PRAGMA journal_mode = WAL");
    // While a long read (reader.ts) holds its snapshot, commits pile up in the WAL file; once
    // checkpointed, SQLite reuses the file but keeps its size. This gives the disk space back.
    client.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`);
  }
  configureConnection(client);
  const db = drizzle({ client, schema }) as Db;
  if (!readonly) migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

/** A fresh, migrated in-memory database, for tests and offline rendering. */
export function openMemoryDatabase(): Db {
  return openDatabase({ path: ":memory:" });
}
