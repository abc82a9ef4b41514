// One server per data directory. Two servers on one database would both run, and each one's live
// feed would miss the other's events. The lock is SQLite's own (a POSIX advisory lock held by an
// open connection), which the kernel releases when the process ends however it ends, so a server
// killed with -9 leaves nothing stale behind. The lock file's user_version holds the PID, to name
// the holder in the refusal.
import { Database } from "bun:sqlite";
import { closeSync, openSync, readSync } from "node:fs";
import { join } from "node:path";

/** The lock file in a data directory (beside inlet.db; backups ignore it). */
export function lockPath(dataDir: string): string {
  return join(dataDir, "inlet.lock");
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | null,
  ) {
    super(`${dataDir} is in use by another Inlet server${pid ? ` (PID ${pid})` : ""}; stop it first, or choose another --data-dir`);
  }
}

export interface DataDirLock {
  release(): void;
}

/** Takes the data directory (which must exist) for this process, or throws DataDirInUseError. */
export function lockDataDir(dataDir: string, pid = process.pid): DataDirLock {
  const path = lockPath(dataDir);
  const db = new Database(path, { create: true, readwrite: true });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    // EXCLUSIVE locking mode keeps the lock from the first write until the connection closes.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("PRAGMA journal_mode = OFF");
    db.exec("BEGIN EXCLUSIVE");
    db.exec(`PRAGMA user_version = ${Math.trunc(pid)}`);
    db.exec("COMMIT");
  } catch (err) {
    db.close();
    const message = err instanceof Error ? err.message : String(err);
    if (/locked|busy/i.test(message)) throw new DataDirInUseError(dataDir, holderPid(path));
    throw new Error(`cannot take the lock file ${path}: ${message} (check that this user may write to ${dataDir})`);
  }
  return { release: () => db.close() };
}

/**
 * The PID the holder wrote: SQLite's header keeps user_version as 4 big-endian bytes at offset 60
 * (https://www.sqlite.org/fileformat.html#database_header). Read as plain bytes, because the
 * holder's lock keeps every other SQLite connection out; null while the holder has not written it.
 */
function holderPid(path: string): number | null {
  try {
    const fd = openSync(path, "r");
    try {
      const header = Buffer.alloc(64);
      if (readSync(fd, header, 0, 64, 0) < 64) return null;
      return header.readInt32BE(60) || null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}
