import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { databasePath, resolveConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer } from "../../src/server.ts";
import { openDatabase } from "../../src/db/open.ts";
import { inlet, REPO, SIMPLE_TEMPLATE, startTestServer, tempDir, type TestServer } from "../support/cli.ts";

let srv: TestServer;
let dir: ReturnType<typeof tempDir>;
let backupFile: string;

const count = (dbFile: string, sql: string) => {
  const db = new Database(dbFile, { readonly: true });
  try {
    return Number(Object.values(db.query(sql).get() as object)[0]);
  } finally {
    db.close();
  }
};

/**
 * A stopped server's data directory. Made with plain bun:sqlite and exec() only: a connection
 * that used cached statements (drizzle) is not really closed by close(), and would look like a
 * running server to restore for the rest of this process.
 */
function inletDataDir(path: string, sql: string) {
  mkdirSync(path, { recursive: true });
  copyFileSync(backupFile, databasePath(path));
  const db = new Database(databasePath(path));
  db.exec(sql);
  db.close();
}

beforeAll(async () => {
  srv = await startTestServer();
  dir = tempDir();
  await srv.api("POST", "/api/webhooks/", { name: "kept", template: SIMPLE_TEMPLATE });
  const events = Array.from({ length: 25 }, (_, i) => ({ event: "backup.test", resource: { "prefect.resource.id": `r.${i}` } }));
  expect((await srv.api("POST", "/api/events", events)).status).toBe(204);
  backupFile = join(dir.path, "inlet-backup.db");
});
afterAll(async () => {
  await srv.stop();
  dir.remove();
});

describe("inlet backup", () => {
  test("copies the database while the server runs, and the server keeps working", async () => {
    const r = await inlet(["backup", backupFile, "--data-dir", srv.dataDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Backed up ${databasePath(srv.dataDir).replaceAll(".", "\\.")} to ${backupFile.replaceAll(".", "\\.")} \\(\\d+\\.\\d [KM]B\\)\\.\\n$`,
      ),
    );
    expect(count(backupFile, "SELECT count(*) FROM events WHERE event = 'backup.test'")).toBe(25);
    expect(count(backupFile, "SELECT count(*) FROM webhooks WHERE name = 'kept'")).toBe(1);
    expect(readdirSync(dir.path).filter((f) => f.includes("partial"))).toEqual([]);
    expect((await srv.api("GET", "/api/health")).status).toBe(200);
    expect((await srv.api("POST", "/api/events", [{ event: "after.backup", resource: { "prefect.resource.id": "x" } }])).status).toBe(204);
  });

  test("an existing file is kept unless --force", async () => {
    const target = join(dir.path, "exists.db");
    writeFileSync(target, "precious");
    const r = await inlet(["backup", target, "--data-dir", srv.dataDir]);
    expect(r).toMatchObject({ code: 1, stderr: `${target} already exists (use --force to overwrite it)\n` });
    const forced = await inlet(["backup", target, "--data-dir", srv.dataDir, "--force"]);
    expect(forced.code).toBe(0);
    expect(count(target, "SELECT count(*) FROM events WHERE event = 'backup.test'")).toBe(25);
  });

  test("no database in the data directory → exit 1", async () => {
    const empty = join(dir.path, "no-data");
    const r = await inlet(["backup", join(dir.path, "x.db"), "--data-dir", empty]);
    expect(r).toMatchObject({ code: 1, stderr: `No Inlet database in ${empty} (use --data-dir or INLET_DATA_DIR)\n` });
  });

  test("shows progress on a terminal for a large database", async () => {
    const bigDir = join(dir.path, "big");
    const db = openDatabase({ path: databasePath(bigDir) });
    db.$client.exec("CREATE TABLE filler (b BLOB)");
    const insert = db.$client.prepare("INSERT INTO filler VALUES (randomblob(1048576))");
    db.$client.transaction(() => {
      for (let i = 0; i < 40; i++) insert.run();
    })();
    db.$client.close();
    const r = await inlet(["backup", join(dir.path, "big-backup.db"), "--data-dir", bigDir], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("\rBacking up: 100% (");
    expect(r.stderr).toEndWith("\n");
    expect(r.stdout).toContain("MB).");
  });

  test("missing FILE → exit 2", async () => {
    const r = await inlet(["backup"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('inlet: missing FILE\nUsage: inlet backup FILE [options]\nRun "inlet backup --help" for more.\n');
  });
});

describe("inlet restore", () => {
  test("refuses while a server holds the data directory", async () => {
    const r = await inlet(["restore", backupFile, "--data-dir", srv.dataDir, "--yes"]);
    expect(r).toMatchObject({ code: 1, stderr: `Cannot restore: a running Inlet server is using ${srv.dataDir}; stop it first\n` });
  });

  test("refuses while a server process holds the data directory", async () => {
    const data = join(dir.path, "served");
    const proc = Bun.spawn([process.execPath, join(REPO, "src/main.ts"), "serve", "--port", "0", "--data-dir", data], {
      cwd: REPO,
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
      let log = "";
      while (!log.includes("listening on")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`server exited: ${log}`);
        log += new TextDecoder().decode(value);
      }
      const r = await inlet(["restore", backupFile, "--data-dir", data, "--yes"]);
      expect(r).toMatchObject({ code: 1, stderr: `Cannot restore: a running Inlet server is using ${data}; stop it first\n` });
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
    // Once it has stopped, the same restore goes through.
    const r = await inlet(["restore", backupFile, "--data-dir", data, "--yes"]);
    expect(r.code).toBe(0);
  }, 20_000);

  test("into a new data directory", async () => {
    const fresh = join(dir.path, "fresh");
    const r = await inlet(["restore", backupFile, "--data-dir", fresh]);
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: `Restored ${backupFile} into ${fresh}.\n` });
    expect(count(databasePath(fresh), "SELECT count(*) FROM events WHERE event = 'backup.test'")).toBe(25);
    // A server starts on it and serves what was backed up.
    const server = await startServer(
      resolveConfig({ host: "127.0.0.1", port: "0", "data-dir": fresh, "log-level": "silent" }, {}),
      silentLogger,
    );
    try {
      const key = server.ctx.serviceAccounts.create("after-restore", "admin").api_key;
      const list = await inlet(["webhook", "ls", "-o", "json", "--url", server.url, "--api-key", key], {
        env: { XDG_CONFIG_HOME: dir.path },
      });
      expect(JSON.parse(list.stdout).map((h: { name: string }) => h.name)).toEqual(["kept"]);
    } finally {
      await server.stop();
    }
  });

  test("over an existing database: asks, and keeps the old one next to it", async () => {
    const existing = join(dir.path, "existing");
    inletDataDir(existing, "INSERT INTO settings (key, value) VALUES ('marker', '\"old\"')");
    const r = await inlet(["restore", backupFile, "--data-dir", existing], { tty: true, answers: ["y"] });
    expect(r.prompts).toEqual([`Replace the database in ${existing} with ${backupFile}? The current one is kept as a copy. [y/N]: `]);
    expect(r.code).toBe(0);
    const kept = readdirSync(existing).find((f) => f.startsWith("inlet.db.pre-restore-"))!;
    expect(r.stdout).toBe(`Restored ${backupFile} into ${existing}.\nThe previous database is kept at ${join(existing, kept)}\n`);
    expect(count(join(existing, kept), "SELECT count(*) FROM settings WHERE key = 'marker'")).toBe(1);
    expect(count(databasePath(existing), "SELECT count(*) FROM settings WHERE key = 'marker'")).toBe(0);
    expect(count(databasePath(existing), "SELECT count(*) FROM events WHERE event = 'backup.test'")).toBe(25);
  });

  test("over an existing database, non-interactive without --yes: refuses and changes nothing", async () => {
    const existing = join(dir.path, "existing2");
    inletDataDir(existing, "DELETE FROM events");
    const r = await inlet(["restore", backupFile, "--data-dir", existing]);
    expect(r).toMatchObject({
      code: 1,
      stderr: "Refusing to restore without confirmation in a non-interactive session; pass --yes to restore.\n",
    });
    expect(readdirSync(existing).filter((f) => f.includes("pre-restore"))).toEqual([]);
    expect(count(databasePath(existing), "SELECT count(*) FROM events")).toBe(0);
  });

  test.each([
    ["a file that does not exist", () => join(dir.path, "nope.db"), "does not exist"],
    [
      "a file that is not SQLite",
      () => {
        const f = join(dir.path, "text.db");
        writeFileSync(f, "x".repeat(500));
        return f;
      },
      "is not an SQLite database",
    ],
    [
      "an SQLite file that is not Inlet's",
      () => {
        const f = join(dir.path, "other.db");
        const db = new Database(f, { create: true });
        db.exec("CREATE TABLE events (x)");
        db.close();
        return f;
      },
      "is not an Inlet database (no __drizzle_migrations, webhooks, service_accounts tables)",
    ],
  ])("%s is refused, exit 1", async (_name, make, message) => {
    const file = make();
    const target = join(dir.path, "untouched");
    const r = await inlet(["restore", file, "--data-dir", target, "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Cannot restore: ${file} ${message}\n`);
    expect(existsSync(target)).toBe(false);
  });

  test("a backup from a newer Inlet is refused", async () => {
    const newer = join(dir.path, "newer.db");
    const copy = await inlet(["backup", newer, "--data-dir", srv.dataDir]);
    expect(copy.code).toBe(0);
    const db = new Database(newer);
    db.exec(`INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ${Date.now() + 10 ** 12})`);
    db.close();
    const r = await inlet(["restore", newer, "--data-dir", join(dir.path, "n"), "--yes"]);
    expect(r).toMatchObject({ code: 1, stderr: `Cannot restore: ${newer} was made by a newer version of Inlet; upgrade this one first\n` });
  });

  test("missing FILE → exit 2", async () => {
    const r = await inlet(["restore", "--data-dir", dir.path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("inlet: missing FILE\nUsage: inlet restore FILE [options]\n");
  });
});
