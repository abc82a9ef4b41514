// `inlet serve` as separate processes: what happens when a second server wants what the first has.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort, spawnInlet, tempDir } from "./helpers.ts";
import { serveExpectingRefusal, startServeProcess, type ServeProcess } from "./serve-process.ts";

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
    expect(second).toEqual({ code: 1, stderr: `inlet: ${dir} is in use by another Inlet server (PID ${first.pid}); stop it first, or choose another --data-dir\n` });
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
