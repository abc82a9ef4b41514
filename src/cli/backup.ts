// `inlet backup FILE` (a consistent copy while the server runs) and `inlet restore FILE`
// (offline, refused while a server holds the data directory). Both work on the data directory.
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { databasePath, resolveDataDir } from "../config.ts";
import { str, subcommand } from "./args.ts";
import { inletDatabaseProblem, lockExclusively, usedBytes, vacuumInto } from "../db/file.ts";
import { CliError, confirm, type CliIO } from "./io.ts";

/** Below this a backup takes about a second; no progress is shown. */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

export const BACKUP_USAGE = `Usage: inlet backup FILE [options]

Writes a consistent copy of the database to FILE. Safe while the server runs on the data
directory: the copy is one snapshot (SQLite's VACUUM INTO) and the server keeps working.

The copy holds the database only. Webhook verification secrets in it are encrypted with the
data directory's secrets.key: keep a copy of that file too, apart from the backups.

Options:
  --data-dir DIR   data directory (env INLET_DATA_DIR, default ./inlet-data)
  --force          overwrite FILE if it exists
  -h, --help       show this help
`;

export const RESTORE_USAGE = `Usage: inlet restore FILE [options]

Puts a backup in place of the data directory's database, after checking that FILE is an Inlet
database. The server must be stopped; the database it replaces is kept next to it.

Put back the secrets.key the backup was made with (it is not in the backup), or verified
webhooks answer 503 until their secrets are set again.

Options:
  --data-dir DIR   data directory (env INLET_DATA_DIR, default ./inlet-data)
  -y, --yes        do not ask for confirmation (required when not in a terminal)
  -h, --help       show this help
`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const backup = subcommand(
  {
    help: BACKUP_USAGE,
    options: { "data-dir": { type: "string" }, force: { type: "boolean" } },
    args: ["FILE"],
  },
  async ([file], v, io) => {
    const dataDir = resolveDataDir(str(v, "data-dir"), io.env);
    const source = databasePath(dataDir);
    if (!existsSync(source)) throw new CliError(`No Inlet database in ${dataDir} (use --data-dir or INLET_DATA_DIR)`);
    const target = resolve(file!);
    if (target === source) throw new CliError("The backup file cannot be the database itself");
    if (existsSync(target) && !v.force) throw new CliError(`${file} already exists (use --force to overwrite it)`);

    const total = usedBytes(source);
    const partial = `${target}.partial`;
    rmSync(partial, { force: true });
    // Progress on a terminal only, rewriting one line; logs of scheduled backups stay clean.
    const showProgress = io.isTTY && total >= PROGRESS_MIN_BYTES;
    const onProgress = showProgress
      ? (written: number, done: boolean) => {
          const percent = done ? 100 : Math.min(99, Math.floor((written / total) * 100));
          io.stderr(`\rBacking up: ${percent}% (${formatBytes(written)} of ~${formatBytes(done ? written : total)})`);
        }
      : undefined;
    try {
      // A backup holds what the database holds: only its owner may read it. SQLite writes into an
      // empty file and keeps its mode.
      writeFileSync(partial, "", { mode: 0o600 });
      chmodSync(partial, 0o600);
      await vacuumInto(source, partial, onProgress);
      renameSync(partial, target);
    } catch (err) {
      rmSync(partial, { force: true });
      throw new CliError(`Backup failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (showProgress) io.stderr("\n");
    }
    io.stdout(`Backed up ${source} to ${target} (${formatBytes(statSync(target).size)}).\n`);
    return 0;
  },
);

/** Refuses while another process has the database open; a clean close also folds the WAL into the file. */
function ensureNotServed(target: string, dataDir: string): void {
  const lock = lockExclusively(target);
  if (!lock) throw new CliError(`Cannot restore: a running Inlet server is using ${dataDir}; stop it first`);
  lock.close();
}

const restore = subcommand(
  {
    help: RESTORE_USAGE,
    options: { "data-dir": { type: "string" }, yes: { type: "boolean", short: "y" } },
    args: ["FILE"],
  },
  async ([file], v, io) => {
    const backupFile = resolve(file!);
    const problem = inletDatabaseProblem(backupFile);
    if (problem) throw new CliError(`Cannot restore: ${problem}`);
    const dataDir = resolveDataDir(str(v, "data-dir"), io.env);
    const target = databasePath(dataDir);
    if (backupFile === target) throw new CliError("Cannot restore: that file is the data directory's database itself");

    let keptAt: string | null = null;
    if (existsSync(target)) {
      ensureNotServed(target, dataDir);
      const ok = await confirm(io, `Replace the database in ${dataDir} with ${file}? The current one is kept as a copy.`, v.yes === true);
      if (ok === null) throw new CliError("Refusing to restore without confirmation in a non-interactive session; pass --yes to restore.");
      if (!ok) throw new CliError("Restore aborted.");
      ensureNotServed(target, dataDir); // again: a server may have started while we asked
      keptAt = `${target}.pre-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      renameSync(target, keptAt);
      for (const suffix of ["-wal", "-shm"]) if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${keptAt}${suffix}`);
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const incoming = `${target}.restoring`;
    copyFileSync(backupFile, incoming);
    chmodSync(incoming, 0o600);
    // An older backup's missing migrations are applied when the server next starts.
    renameSync(incoming, target);
    io.stdout(`Restored ${backupFile} into ${dataDir}.${keptAt ? `\nThe previous database is kept at ${keptAt}` : ""}\n`);
    return 0;
  },
);

export const backupCommand = (argv: string[], io: CliIO) => backup.run(argv, io);
export const restoreCommand = (argv: string[], io: CliIO) => restore.run(argv, io);
