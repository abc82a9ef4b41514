// `inlet serve` as separate processes: what happens when a second server wants what the first has.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort, REPO, spawnInlet, tempDir } from "../support/cli.ts";
import { serveExpectingRefusal, startServeProcess, type ServeProcess } from "../support/serve.ts";

const dirs: { remove(): void }[] = [];
const running: ServeProcess[] = [];
function dataDir(): string {
  const dir = tempDir("inlet-serve-");
  dirs.push(dir);
  return join(dir.path, "data");
}
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop("SIGKILL");
  for (const d of dirs) d.remove();
});

describe("one port, one server", () => {
  test("a second Inlet on the port of a running one → 1, the port is in use; the first keeps every request", async () => {
    const port = String(await freePort());
    const first = await startServeProcess(["--port", port, "--data-dir", dataDir()]);
    running.push(first);
    const second = await serveExpectingRefusal(["--port", port, "--data-dir", dataDir()]);
    expect(second).toEqual({ code: 1, stderr: `inlet: cannot listen on 127.0.0.1:${port}: the port is in use\n` });
    // Had both bound (SO_REUSEPORT), the kernel would share new connections between them.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${first.url}/api/health`, { headers: { connection: "close" } });
      expect(res.status).toBe(200);
    }
    expect(await first.stop()).toBe(0);
  });
});

describe("one data directory, one server", () => {
  test("a second server on the data directory of a running one → 1, naming the first one's PID; the first keeps working", async () => {
    const dir = dataDir();
    const first = await startServeProcess(["--port", "0", "--data-dir", dir]);
    running.push(first);
    const second = await serveExpectingRefusal(["--port", "0", "--data-dir", dir]);
    expect(second).toEqual({
      code: 1,
      stderr: `inlet: ${dir} is in use by another Inlet server (PID ${first.pid}); stop it first, or choose another --data-dir\n`,
    });
    expect((await fetch(`${first.url}/api/health`)).status).toBe(200);
    // Offline commands still work beside the server.
    expect((await spawnInlet(["service-account", "create", "beside", "--data-dir", dir])).code).toBe(0);
    expect(await first.stop()).toBe(0);
    // A clean stop releases the directory.
    const next = await startServeProcess(["--port", "0", "--data-dir", dir]);
    running.push(next);
    expect(await next.stop()).toBe(0);
  });

  test("after kill -9 of the server, a new one starts on the same data directory (the lock is not left behind)", async () => {
    const dir = dataDir();
    const first = await startServeProcess(["--port", "0", "--data-dir", dir]);
    running.push(first);
    expect(await first.stop("SIGKILL")).not.toBe(0);
    const again = await startServeProcess(["--port", "0", "--data-dir", dir]);
    running.push(again);
    expect((await fetch(`${again.url}/api/health`)).status).toBe(200);
    expect(await again.stop()).toBe(0);
  });
});

describe("start-up errors name the file and what to do", () => {
  test("a database from a newer Inlet → 1, and the file is left byte for byte as it was", async () => {
    const dir = dataDir();
    expect((await spawnInlet(["service-account", "create", "x", "--data-dir", dir])).code).toBe(0);
    const path = join(dir, "inlet.db");
    const journal = JSON.parse(readFileSync(join(REPO, "drizzle/meta/_journal.json"), "utf8")) as { entries: { when: number }[] };
    const newest = Math.max(...journal.entries.map((e) => e.when));
    const db = new Database(path);
    db.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-a-newer-inlet', ?)", [newest + 1000]);
    db.close();
    const before = readFileSync(path);
    const r = await serveExpectingRefusal(["--port", "0", "--data-dir", dir]);
    expect(r).toEqual({ code: 1, stderr: `inlet: ${path} was made by a newer version of Inlet; upgrade this one first\n` });
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test("a data directory that cannot be created → 1, naming it and why", async () => {
    const dir = dataDir();
    mkdirSync(dirname(dir), { recursive: true });
    writeFileSync(join(dirname(dir), "a-file"), "not a directory");
    const under = join(dirname(dir), "a-file", "data");
    const r = await serveExpectingRefusal(["--port", "0", "--data-dir", under]);
    expect(r).toEqual({
      code: 1,
      stderr: `inlet: cannot create the data directory ${under}: a part of that path is a file, not a directory\n`,
    });
    const offline = await spawnInlet(["service-account", "create", "x", "--data-dir", under]);
    expect(offline).toEqual({
      code: 1,
      stdout: "",
      stderr: `inlet: cannot create the data directory ${under}: a part of that path is a file, not a directory\n`,
    });
  });

  test("a file that is not a database where inlet.db should be → 1, naming it and what to do; the file is untouched", async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "inlet.db");
    const text = "these are somebody's notes, not a database\n".repeat(20);
    writeFileSync(path, text);
    const r = await serveExpectingRefusal(["--port", "0", "--data-dir", dir]);
    expect(r).toEqual({
      code: 1,
      stderr: `inlet: ${path} is not an SQLite database: move it away, or put a backup in its place with "inlet restore"\n`,
    });
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  test("a database path that cannot be opened (a directory) → 1, naming it and what to check", async () => {
    const dir = dataDir();
    const path = join(dir, "inlet.db");
    mkdirSync(path, { recursive: true });
    const r = await serveExpectingRefusal(["--port", "0", "--data-dir", dir]);
    expect(r).toEqual({
      code: 1,
      stderr: `inlet: cannot open the database ${path}: unable to open database file (check that it is a file this user may read and write, in a directory it may write)\n`,
    });
  });
});
