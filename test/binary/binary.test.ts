// The compiled binary, run from an empty directory with no node_modules and no source beside it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BINARY, emptyDir, runBinary, startBinaryServer, type ServerProcess } from "../support/binary.ts";

const dir = emptyDir();
let server: ServerProcess;
let key: string;

beforeAll(async () => {
  expect(existsSync(BINARY)).toBe(true);
  const created = runBinary(["service-account", "create", "ci", "--role", "admin", "--data-dir", "./data", "-o", "json"], dir.path);
  expect(created.exitCode).toBe(0);
  key = JSON.parse(created.stdout).api_key;
  server = await startBinaryServer(dir.path);
});

afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.stop("SIGKILL");
  dir.remove();
});

describe("dist/inlet", () => {
  test("prints its version and help", () => {
    expect(runBinary(["version"], dir.path).stdout).toMatch(/^inlet \d+\.\d+\.\d+\n$/);
    const help = runBinary(["--help"], dir.path);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("serve");
    expect(runBinary(["no-such-command"], dir.path).exitCode).toBe(2);
  });

  test("applies its embedded migrations, stores events over HTTP and reads them back through the filter", async () => {
    expect(existsSync(join(dir.path, "data", "inlet.db"))).toBe(true);
    const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const id = "0190f3b4-3a2b-7cde-8f00-00000000abcd";
    const post = await fetch(`${server.url}/api/events`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify([{ id, event: "binary.test", resource: { "prefect.resource.id": "ci.binary" } }]),
    });
    expect(post.status).toBe(204);
    const got = await fetch(`${server.url}/api/events/filter`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ filter: { resource: { id: ["ci.binary"] } } }),
    });
    expect(got.status).toBe(200);
    const page = await got.json();
    expect(page.total).toBe(1);
    expect(page.events[0]).toMatchObject({ id, event: "binary.test", resource: { "prefect.resource.id": "ci.binary" } });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  test("serves the live feed over a websocket (the server wires Elysia's websocket dispatcher itself)", async () => {
    const post = await fetch(`${server.url}/api/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify([{ event: "binary.feed", resource: { "prefect.resource.id": "ci.feed" } }]),
    });
    expect(post.status).toBe(204);
    const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/api/events/out`, ["prefect"]);
    const first = new Promise<{ type: string; event?: { event: string } }>((resolve, reject) => {
      ws.onmessage = (m) => {
        const message = JSON.parse(String(m.data));
        if (message.type === "event") resolve(message);
      };
      ws.onerror = reject;
      ws.onclose = () => reject(new Error("the feed closed"));
    });
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    ws.send(JSON.stringify({ type: "auth", token: key }));
    // The backfill sends the event stored above.
    ws.send(JSON.stringify({ type: "filter", filter: { event: { prefix: ["binary.feed"] } }, backfill: true }));
    expect((await first).event?.event).toBe("binary.feed");
    ws.onclose = null;
    ws.close();
  });

  test("stops gracefully on SIGTERM with exit status 0", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.logs()).toContain("inlet stopped");
  });
});
