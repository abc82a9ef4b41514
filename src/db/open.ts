// Opens the SQLite database (setting the PRAGMAs durability depends on, applying migrations) and
// closes it; opens the read worker's second connection to it; answers the health check.
import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUSY_TIMEOUT_MS, configureConnection } from "./connection.ts";
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
  const onDisk = path !== ":memory:" && !readonly;
  if (onDisk) ensureDirectory(dirname(path));
  let client: Database | null = null;
  try {
    client = new Database(path, readonly ? { readonly: true } : { create: true, readwrite: true, strict: true });
    if (onDisk) keepPrivate(path);
    // Before anything writes to it: a schema this binary does not know must stay as it is.
    if (onDisk && newestAppliedMigration(client) > newestKnownMigration()) {
      throw new DatabaseOpenError(`${path} was made by a newer version of Inlet; upgrade this one first`);
    }
    if (!readonly) {
      // Must come first: auto_vacuum only takes effect on a database with no pages yet, and
      // switching to WAL already writes the first page.
      client.exec("PRAGMA auto_vacuum = INCREMENTAL");
      // WAL lets readers run beside the single writer.
      client.exec("PRAGMA journal_mode = WAL");
      // While a long read (events/reads/reader.ts) holds its snapshot, commits pile up in the WAL file; once
      // checkpointed, SQLite reuses the file but keeps its size. This gives the disk space back.
      client.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`);
    }
    configureConnection(client);
    const db = drizzle({ client, schema }) as Db;
    if (!readonly) migrate(db, { migrationsFolder: migrationsFolder() });
    return db;
  } catch (err) {
    client?.close();
    throw path === ":memory:" || err instanceof DatabaseOpenError ? err : new DatabaseOpenError(openProblem(path, err));
  }
}

/** A database that cannot be used, in words that name the file and what to do about it. */
export class DatabaseOpenError extends Error {}

/**
 * The database holds hook URLs and key hashes: only its owner may read it. SQLite gives the WAL and
 * shared-memory files the database file's mode, so setting it on the database covers them; the
 * existing ones (from a release that left them readable) are narrowed too.
 */
function keepPrivate(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/** Creates the data directory (only its owner may enter it), or says why it cannot be. */
export function ensureDirectory(dir: string): void {
  try {
    const existed = existsSync(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!existed) chmodSync(dir, 0o700);
  } catch (err) {
    throw new DatabaseOpenError(`cannot create the data directory ${dir}: ${fileSystemProblem(err)}`);
  }
}

function fileSystemProblem(err: unknown): string {
  switch ((err as { code?: string }).code) {
    case "ENOTDIR":
    case "EEXIST":
      return "a part of that path is a file, not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "the disk is full";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** SQLite's terse errors ("disk I/O error", "file is not a database") with the file and a next step. */
function openProblem(path: string, err: unknown): string {
  const code = String((err as { code?: string }).code ?? "");
  const message = err instanceof Error ? err.message : String(err);
  if (code === "SQLITE_NOTADB") return `${path} is not an SQLite database: move it away, or put a backup in its place with "inlet restore"`;
  if (code.startsWith("SQLITE_CORRUPT")) return `${path} is damaged (${message}): put a backup in its place with "inlet restore"`;
  const hint = code.startsWith("SQLITE_CANTOPEN")
    ? "check that it is a file this user may read and write, in a directory it may write"
    : code.startsWith("SQLITE_READONLY")
      ? "this user may not write it, or the directory it is in"
      : code.startsWith("SQLITE_IOERR")
        ? "check that the disk has room and works, and that this user may read and write the file and its directory"
        : code === "SQLITE_FULL"
          ? "the disk is full"
          : code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")
            ? "another program holds a lock on it"
            : null;
  return `cannot open the database ${path}: ${message}${hint ? ` (${hint})` : ""}`;
}

/** The `created_at` of the newest migration applied to a database (drizzle's journal), 0 for a new one. */
function newestAppliedMigration(client: Database): number {
  // Statements finalized at once (not query()'s cached ones): close() leaves a connection that
  // still has statements open, with its file locked.
  const get = (sql: string) => {
    const statement = client.prepare(sql);
    try {
      return statement.get() as { at: number | string | null } | null;
    } finally {
      statement.finalize();
    }
  };
  if (!get("SELECT 1 AS at FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")) return 0;
  return Number(get("SELECT max(created_at) AS at FROM __drizzle_migrations")?.at ?? 0);
}

/** The `when` of the newest migration this binary carries (drizzle records it as `created_at`). */
export function newestKnownMigration(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}

/**
 * A second connection to a server's database file that cannot write (PRAGMA query_only): the
 * read worker's. The file must exist and be migrated already.
 */
export function openQueryOnly(path: string): Db {
  const client = new Database(path, { readwrite: true, create: false, strict: true });
  configureConnection(client);
  client.exec("PRAGMA query_only = ON");
  return drizzle({ client, schema }) as Db;
}

/** Lets the database's connection go, and with it the file. */
export function closeDatabase(db: Db): void {
  db.$client.close();
}

/** The file the database is in: "" or ":memory:" for one in memory. */
export const databaseFile = (db: Db): string => db.$client.filename;

/** Whether the database answers at all (the health check): throws when it does not. */
export function pingDatabase(db: Db): void {
  db.$client.query("SELECT 1").get();
}

export interface Readiness {
  /** `writable`, or why not (`locked`, `read-only`, `unreachable`). */
  database: string;
  /** `current` when every migration this binary knows has been applied, else `pending`. */
  migrations: "current" | "pending";
}

/**
 * Whether the database can take a write now: the write lock is taken and given back at once (a
 * BEGIN IMMEDIATE that writes nothing), waiting at most `waitMs` for another writer, and whether the
 * schema is this binary's.
 */
export function databaseReadiness(db: Db, waitMs = 250): Readiness {
  const client = db.$client;
  const migrations = client.filename === ":memory:" || newestAppliedMigration(client) >= newestKnownMigration() ? "current" : "pending";
  let database = "writable";
  // Synchronous from here to the end: nothing else on this connection runs in between.
  client.exec(`PRAGMA busy_timeout = ${waitMs}`);
  try {
    client.exec("BEGIN IMMEDIATE");
    client.exec("ROLLBACK");
  } catch (err) {
    const code = String((err as { code?: string }).code ?? "");
    database =
      code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")
        ? "locked"
        : code.startsWith("SQLITE_READONLY")
          ? "read-only"
          : "unreachable";
  } finally {
    client.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
  return { database, migrations };
}

/** A fresh, migrated in-memory database, for tests and offline rendering. */
export function openMemoryDatabase(): Db {
  return openDatabase({ path: ":memory:" });
}
