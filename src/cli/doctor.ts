// `inlet doctor`: checks what a server on this data directory needs, one line per check, and exits 0
// when all pass, 1 otherwise. Offline on --data-dir (also while a server runs on it); with --url it
// also asks a running server whether it is ready, and compares clocks with it.
import { existsSync, statfsSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { databasePath, DEFAULT_HOST, DEFAULT_PORT, resolveDataDir } from "../config.ts";
import { inletDatabaseProblem } from "../db/file.ts";
import { parse, str } from "./args.ts";
import { UsageError, type CliIO } from "./io.ts";

export const DOCTOR_USAGE = `Usage: inlet doctor [options]

Checks a data directory (and, with --url, a running server) and prints one line per check:
permissions, free disk, database integrity, base URL, clock, and whether the server is ready.
Exits 0 when every check passes, 1 otherwise.

Options:
  --data-dir DIR       data directory (env INLET_DATA_DIR, default ./inlet-data)
  --base-url URL       the public URL the server prints (env INLET_BASE_URL)
  --url URL            a running server to check (GET /api/ready, and its clock)
  --min-free-mb N      free disk space to expect, in MiB (default 100)
  -h, --help           show this help
`;

/** Free space below this fails: SQLite needs room for its WAL and for retention's vacuum. */
export const DEFAULT_MIN_FREE_MB = 100;
/** A server's clock this far from ours fails: event times and session expiry would disagree. */
export const MAX_CLOCK_SKEW_S = 60;
const REQUEST_TIMEOUT_MS = 5000;

export interface Check {
  name: string;
  /** "skip": nothing to check without an option (not a failure). */
  status: "ok" | "FAIL" | "skip";
  detail: string;
}

const ok = (name: string, detail: string): Check => ({ name, status: "ok", detail });
const fail = (name: string, detail: string): Check => ({ name, status: "FAIL", detail });
const skip = (name: string, detail: string): Check => ({ name, status: "skip", detail });
const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, "0");

/** Only the owner may read the data directory and the database: they hold hook URLs and key hashes. */
export function checkPermissions(dataDir: string): Check[] {
  const name = "permissions";
  if (!existsSync(dataDir)) return [fail("data directory", `${dataDir} does not exist (a first "inlet serve" creates it)`)];
  const dirMode = statSync(dataDir).mode;
  const checks = [
    dirMode & 0o077
      ? fail(name, `${dataDir} is ${octal(dirMode)}, others may enter it: chmod 700 ${dataDir}`)
      : ok(name, `${dataDir} is ${octal(dirMode)}`),
  ];
  const db = databasePath(dataDir);
  for (const file of [db, `${db}-wal`, `${db}-shm`]) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode;
    if (mode & 0o077) checks.push(fail(name, `${file} is ${octal(mode)}, others may read it: chmod 600 ${file}`));
  }
  return checks;
}

export function checkDisk(dataDir: string, minFreeMb: number): Check {
  if (!existsSync(dataDir)) return skip("free disk", "no data directory");
  const fs = statfsSync(dataDir);
  const freeMb = Math.floor((fs.bavail * fs.bsize) / 2 ** 20);
  const totalMb = Math.floor((fs.blocks * fs.bsize) / 2 ** 20);
  const detail = `${freeMb} MiB free of ${totalMb} MiB`;
  return freeMb < minFreeMb
    ? fail("free disk", `${detail}, less than ${minFreeMb} MiB: free some, or retain less (--retention-days)`)
    : ok("free disk", detail);
}

export function checkDatabase(dataDir: string): Check {
  const path = databasePath(dataDir);
  if (!existsSync(path)) return skip("database", `no ${join("…", "inlet.db")} yet (a first "inlet serve" creates it)`);
  const problem = inletDatabaseProblem(path);
  return problem
    ? fail("database", `${problem}; restore a backup ("inlet restore")`)
    : ok("database", `${path}: quick_check ok, schema known`);
}

const WILDCARDS = new Set(["0.0.0.0", "[::]"]);
const isLoopback = (host: string) => host === "localhost" || host.endsWith(".localhost") || host.startsWith("127.") || host === "[::1]";

export function checkBaseUrl(raw: string | undefined): Check {
  const name = "base URL";
  const given = raw ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return fail(name, `"${given}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return fail(name, `${given} is not http(s)`);
  if (WILDCARDS.has(url.hostname))
    return fail(name, `${given} names every interface, which no sender can reach: use this machine's address or name`);
  if (url.pathname !== "/" || url.search || url.hash)
    return fail(name, `${given} has a path or query; hook URLs are built on the origin alone`);
  if (isLoopback(url.hostname)) return ok(name, `${given} (loopback: only this machine can send to it; set --base-url for others)`);
  if (url.protocol === "http:" && !isIP(url.hostname.replace(/^\[|\]$/g, "")) && url.hostname.includes("."))
    return ok(name, `${given} (plain http: behind a TLS proxy, use its https URL)`);
  return ok(name, given);
}

async function get(url: string): Promise<Response> {
  return await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: "manual" });
}

/** GET /api/ready on a running server, and its clock against ours (from its Date header). */
export async function checkServer(url: string | undefined, now: () => number = Date.now): Promise<Check[]> {
  if (!url) return [skip("listener", "no --url given"), skip("clock", "no --url given")];
  const base = url.replace(/\/+$/, "");
  let res: Response;
  const sent = now();
  try {
    res = await get(`${base}/api/ready`);
  } catch (err) {
    const why = (err as { name?: string }).name === "TimeoutError" ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : "cannot connect";
    return [fail("listener", `${base}: ${why}`), skip("clock", "the server did not answer")];
  }
  const body = (await res.json().catch(() => null)) as { status?: string; database?: string; migrations?: string } | null;
  const listener =
    res.status === 200 && body?.status === "ready"
      ? ok("listener", `${base}/api/ready: ready`)
      : fail(
          "listener",
          `${base}/api/ready answered ${res.status}${body?.database ? ` (database ${body.database}, migrations ${body.migrations})` : ""}`,
        );
  const date = res.headers.get("date");
  if (!date) return [listener, skip("clock", "the server sent no Date header")];
  // A Date header has whole seconds: the midpoint of the exchange is the fairest comparison.
  const skewS = Math.round((Date.parse(date) - (sent + now()) / 2) / 1000);
  const clock =
    Math.abs(skewS) > MAX_CLOCK_SKEW_S
      ? fail("clock", `the server's clock is ${Math.abs(skewS)} s ${skewS > 0 ? "ahead of" : "behind"} this machine's: run NTP on both`)
      : ok("clock", `within ${Math.max(1, Math.abs(skewS))} s of the server's`);
  return [listener, clock];
}

export async function doctorCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      "data-dir": { type: "string" },
      "base-url": { type: "string" },
      url: { type: "string" },
      "min-free-mb": { type: "string" },
    },
    DOCTOR_USAGE,
  );
  if (values.help) {
    io.stdout(DOCTOR_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, DOCTOR_USAGE);
  const minFree = str(values, "min-free-mb") ?? String(DEFAULT_MIN_FREE_MB);
  if (!/^\d+$/.test(minFree)) throw new UsageError(`--min-free-mb must be a whole number, got "${minFree}"`, DOCTOR_USAGE);
  const dataDir = resolveDataDir(str(values, "data-dir"), io.env);
  const checks = [
    ...checkPermissions(dataDir),
    checkDisk(dataDir, Number(minFree)),
    checkDatabase(dataDir),
    checkBaseUrl(str(values, "base-url") ?? io.env.INLET_BASE_URL),
    ...(await checkServer(str(values, "url"))),
  ];
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) io.stdout(`${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}\n`);
  return checks.some((c) => c.status === "FAIL") ? 1 : 0;
}
