// The database file as a whole, for the offline commands that copy or replace it (inlet backup,
// inlet restore): is a file an Inlet database, is a server using it, its size, a consistent copy.
import { Database } from "bun:sqlite";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { newestKnownMigration } from "./open.ts";

const SQLITE_MAGIC = "SQLite format 3\0";
/** Tables every Inlet database has had since the first migration. */
const REQUIRED_TABLES = ["__drizzle_migrations", "events", "webhooks", "service_accounts"];

/**
 * Runs a query with a statement that is finalized at once: bun:sqlite's close() leaves a
 * connection open (and its file locked) while cached statements remain.
 */
function all<T>(db: Database, sql: string): T[] {
  const statement = db.prepare(sql);
  try {
    return statement.all() as T[];
  } finally {
    statement.finalize();
  }
}

function fileHeader(path: string, length: number): string {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(length);
    const n = readSync(fd, head, 0, length, 0);
    return head.subarray(0, n).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

/** Why a file is not a usable Inlet database, or null when it is one. */
export function inletDatabaseProblem(path: string): string | null {
  if (!existsSync(path)) return `${path} does not exist`;
  if (fileHeader(path, 16) !== SQLITE_MAGIC) return `${path} is not an SQLite database`;
  let db: Database | null = null;
  try {
    db = new Database(path, { readonly: true });
    const tables = new Set(all<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) return `${path} is not an Inlet database (no ${missing.join(", ")} table${missing.length > 1 ? "s" : ""})`;
    const check = all<{ quick_check: string }>(db, "PRAGMA quick_check")[0];
    if (check?.quick_check !== "ok") return `${path} is damaged (quick_check: ${check?.quick_check ?? "no answer"})`;
    const newest = all<{ at: number | null }>(db, "SELECT max(created_at) AS at FROM __drizzle_migrations")[0]?.at ?? 0;
    if (Number(newest) > newestKnownMigration()) return `${path} was made by a newer version of Inlet; upgrade this one first`;
    return null;
  } catch (err) {
    return `${path} cannot be read as a database: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    db?.close();
  }
}

/**
 * Whether another process (a running server) has the database open. Every connection to a WAL
 * database holds a shared lock on it, so an exclusive lock can only be had when nobody else is
 * connected. On success the returned connection holds that lock until it is closed.
 */
export function lockExclusively(path: string): Database | null {
  const db = new Database(path, { readwrite: true });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return db;
  } catch (err) {
    db.close();
    if (err instanceof Error && /locked|busy/i.test(err.message)) return null;
    throw err;
  }
}

/** The bytes a copy of the database will take: its used pages. */
export function usedBytes(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const n = (pragma: string) => Number(Object.values(all<object>(db, `PRAGMA ${pragma}`)[0]!)[0]);
    return (n("page_count") - n("freelist_count")) * n("page_size");
  } finally {
    db.close();
  }
}

const PROGRESS_INTERVAL_MS = 200;

// VACUUM INTO runs in a worker so that the main thread can report progress by watching the
// output grow. Inline source (not a file) so that it also works inside the compiled binary.
const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
self.onmessage = ({ data }) => {
  try {
    const db = new Database(data.source, { readwrite: true });
    db.exec("PRAGMA busy_timeout = 10000");
    db.query("VACUUM INTO ?").run(data.target);
    db.close();
    postMessage({ ok: true });
  } catch (err) {
    postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
`;

/**
 * A consistent copy of a live database: VACUUM INTO reads one snapshot (WAL lets the server keep
 * writing meanwhile) and writes a compact file. `onProgress` is called with the bytes written so far, and once more when done.
 */
export async function vacuumInto(source: string, target: string, onProgress?: (written: number, done: boolean) => void): Promise<void> {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const worker = new Worker(url);
  const timer = onProgress
    ? setInterval(() => {
        const size = Bun.file(target).size;
        if (size > 0) onProgress(size, false);
      }, PROGRESS_INTERVAL_MS)
    : null;
  try {
    const result = await new Promise<{ ok: boolean; message?: string }>((resolve) => {
      worker.onmessage = (m) => resolve(m.data);
      worker.onerror = (e) => resolve({ ok: false, message: e.message });
      worker.postMessage({ source, target });
    });
    if (!result.ok) throw new Error(result.message ?? "VACUUM INTO failed");
    onProgress?.(Bun.file(target).size, true);
  } finally {
    if (timer) clearInterval(timer);
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}
