// `inlet doctor`: one line per check, exit 0 when all pass and 1 otherwise; offline on --data-dir,
// and with --url against a running server (a real one, and a stand-in whose clock is wrong).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, openSync, writeSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { databasePath } from "../../src/config.ts";
import { closeDatabase, openDatabase } from "../../src/db/open.ts";
import { inlet, REPO, startTestServer, tempDir, type TestServer } from "../support/cli.ts";

let dir: ReturnType<typeof tempDir>;
let dataDir: string;
beforeEach(() => {
  dir = tempDir();
  dataDir = join(dir.path, "data");
  closeDatabase(openDatabase({ path: databasePath(dataDir) })); // as a first start leaves it
});
afterEach(() => dir.remove());

/** The lines of the report, by check name. */
function report(stdout: string): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const line of stdout.trimEnd().split("\n")) {
    const m = /^(ok|FAIL|skip)\s+(data directory|permissions|free disk|database|base URL|listener|clock)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not a report line: ${line}`);
    lines[m[2]!] = `${m[1]} ${m[3]}`;
  }
  return lines;
}

describe("inlet doctor, offline", () => {
  test("a healthy data directory passes every check; what needs --url is skipped", async () => {
    const r = await inlet(["doctor", "--data-dir", dataDir, "--base-url", "https://hooks.example.com"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = report(r.stdout);
    expect(lines.permissions).toBe(`ok ${dataDir} is 0700`);
    expect(lines["free disk"]).toMatch(/^ok \d+ MiB free of \d+ MiB$/);
    expect(lines.database).toMatch(/^ok .*quick_check ok/);
    expect(lines["base URL"]).toBe("ok https://hooks.example.com");
    expect(lines.listener).toBe("skip no --url given");
    expect(lines.clock).toBe("skip no --url given");
  });

  test("a data directory or database others can read fails, naming the fix", async () => {
    chmodSync(dataDir, 0o755);
    chmodSync(databasePath(dataDir), 0o644);
    const r = await inlet(["doctor", "--data-dir", dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAIL  permissions +${dataDir} is 0755, others may enter it: chmod 700 ${dataDir}$`, "m"));
    expect(r.stdout).toContain(`chmod 600 ${databasePath(dataDir)}`);
  });

  test("a damaged database fails the integrity check", async () => {
    // Made by another process, which checkpoints and lets the file go on exit (this one's connection
    // above may still hold pages in its WAL).
    dataDir = join(dir.path, "other");
    const made = Bun.spawnSync([process.execPath, join(REPO, "src/main.ts"), "service-account", "create", "x", "--data-dir", dataDir]);
    expect(made.exitCode).toBe(0);
    const size = statSync(databasePath(dataDir)).size;
    const fd = openSync(databasePath(dataDir), "r+");
    // Every page but the first: their b-tree page headers.
    for (let at = 4096; at < size; at += 4096) writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, at);
    closeSync(fd);
    const r = await inlet(["doctor", "--data-dir", dataDir]);
    expect(r.code).toBe(1);
    expect(report(r.stdout).database).toMatch(/^FAIL .*(damaged|cannot be read|not an Inlet database).*inlet restore/);
  });

  test("too little free disk, a missing directory, a wildcard base URL: each fails", async () => {
    expect(report((await inlet(["doctor", "--data-dir", dataDir, "--min-free-mb", "999999999"])).stdout)["free disk"]).toMatch(
      /^FAIL \d+ MiB free of \d+ MiB, less than 999999999 MiB/,
    );
    const missing = await inlet(["doctor", "--data-dir", join(dir.path, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(report(missing.stdout)["data directory"]).toMatch(/^FAIL .*does not exist/);
    const wildcard = await inlet(["doctor", "--data-dir", dataDir], { env: { INLET_BASE_URL: "http://0.0.0.0:4280" } });
    expect(wildcard.code).toBe(1);
    expect(report(wildcard.stdout)["base URL"]).toMatch(/^FAIL .*every interface/);
    expect((await inlet(["doctor", "--data-dir", dataDir, "--base-url", "http://nas.lan:4280/inlet"])).code).toBe(1);
  });

  test("a bad option is a usage error (exit 2)", async () => {
    const r = await inlet(["doctor", "--min-free-mb", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--min-free-mb must be a whole number");
  });
});

describe("inlet doctor --url", () => {
  let server: TestServer;
  beforeAll(async () => void (server = await startTestServer()));
  afterAll(() => server.stop());

  test("a running server: ready, and its clock agrees", async () => {
    mkdirSync(dataDir, { recursive: true });
    const r = await inlet(["doctor", "--data-dir", server.dataDir, "--url", server.url]);
    expect(r.code).toBe(0);
    const lines = report(r.stdout);
    expect(lines.listener).toBe(`ok ${server.url}/api/ready: ready`);
    expect(lines.clock).toMatch(/^ok within \d+ s of the server's$/);
  });

  test("nothing listening → the listener check fails", async () => {
    const probe = Bun.serve({ port: 0, fetch: () => new Response(null) });
    const closed = `http://127.0.0.1:${probe.port}`;
    probe.stop(true);
    const r = await inlet(["doctor", "--data-dir", dataDir, "--url", closed]);
    expect(r.code).toBe(1);
    expect(report(r.stdout).listener).toBe(`FAIL ${closed}: cannot connect`);
  });

  test("a server whose clock is an hour behind, or that is not ready, fails", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toUTCString();
    let ready = true;
    const standIn = Bun.serve({
      port: 0,
      fetch: () =>
        Response.json(ready ? { status: "ready" } : { status: "unavailable", database: "read-only", migrations: "current" }, {
          status: ready ? 200 : 503,
          headers: { date: hourAgo },
        }),
    });
    try {
      const url = `http://127.0.0.1:${standIn.port}`;
      const r = await inlet(["doctor", "--data-dir", dataDir, "--url", url]);
      expect(r.code).toBe(1);
      expect(report(r.stdout).clock).toMatch(/^FAIL the server's clock is 3\d{3} s behind this machine's/);
      ready = false;
      expect(report((await inlet(["doctor", "--data-dir", dataDir, "--url", url])).stdout).listener).toBe(
        `FAIL ${url}/api/ready answered 503 (database read-only, migrations current)`,
      );
    } finally {
      standIn.stop(true);
    }
  });
});
