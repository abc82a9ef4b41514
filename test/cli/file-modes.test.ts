// The data directory holds hook URLs and key hashes: whatever Inlet writes there, and its backups,
// only the user who runs it may read.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { databasePath } from "../../src/config.ts";
import { freePort, spawnInlet, tempDir } from "../support/cli.ts";
import { startServeProcess } from "../support/serve.ts";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
  // A permissive umask, as a shell often has: Inlet must not depend on the caller's.
  process.umask(0o022);
});
afterAll(() => dir.remove());

describe("file modes", () => {
  test("a new data directory is 0700; the database, its WAL and shared memory 0600; a backup 0600", async () => {
    const dataDir = join(dir.path, "fresh");
    const server = await startServeProcess(["--port", String(await freePort()), "--data-dir", dataDir]);
    try {
      expect(mode(dataDir)).toBe("700");
      const db = databasePath(dataDir);
      for (const file of [db, `${db}-wal`, `${db}-shm`]) expect([file, mode(file)]).toEqual([file, "600"]);

      const backup = join(dir.path, "backup.db");
      const r = await spawnInlet(["backup", backup, "--data-dir", dataDir]);
      expect(r.code).toBe(0);
      expect(mode(backup)).toBe("600");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("a database left readable by an older release is narrowed to 0600 at start", async () => {
    const dataDir = join(dir.path, "older");
    mkdirSync(dataDir, { mode: 0o755 });
    const first = await startServeProcess(["--port", String(await freePort()), "--data-dir", dataDir]);
    expect(await first.stop()).toBe(0);
    const db = databasePath(dataDir);
    chmodSync(db, 0o644);
    const again = await startServeProcess(["--port", String(await freePort()), "--data-dir", dataDir]);
    try {
      expect(mode(db)).toBe("600");
      // A directory the user made is theirs to set; Inlet narrows only what it creates.
      expect(mode(dataDir)).toBe("755");
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  test("a restored database is 0600 whatever the backup file's mode", async () => {
    const dataDir = join(dir.path, "restored");
    const seed = await startServeProcess(["--port", String(await freePort()), "--data-dir", join(dir.path, "seed")]);
    expect(await seed.stop()).toBe(0);
    const backup = join(dir.path, "world-readable.db");
    expect((await spawnInlet(["backup", backup, "--data-dir", join(dir.path, "seed")])).code).toBe(0);
    chmodSync(backup, 0o644);
    const r = await spawnInlet(["restore", backup, "--data-dir", dataDir, "--yes"]);
    expect(r.code).toBe(0);
    expect(mode(databasePath(dataDir))).toBe("600");
    expect(mode(dataDir)).toBe("700");
  });
});
