// Durability: kill -9 the server in the middle of a stream of webhook requests, restart it, and
// check that every request that was answered 204 is stored, and none twice.
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { emptyDir, runBinary, startBinaryServer } from "../support/binary.ts";
import { waitUntil } from "../support/wait.ts";

const dir = emptyDir("inlet-crash-");
afterAll(() => dir.remove());

const TEMPLATE = '{"event": "crash.test", "resource": {"prefect.resource.id": "crash.{{ body.n }}"}}';

test("every acknowledged event survives kill -9, exactly once", async () => {
  const key = JSON.parse(runBinary(["service-account", "create", "ci", "--data-dir", "./data", "-o", "json"], dir.path).stdout).api_key;
  const server = await startBinaryServer(dir.path);
  const created = await fetch(`${server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "crash", template: TEMPLATE }),
  });
  const hookUrl = (await created.json()).url as string;

  const acknowledged: number[] = [];
  let next = 0;
  let killed = false;
  const sender = async () => {
    while (!killed) {
      const n = next++;
      try {
        const res = await fetch(hookUrl, {
          method: "POST",
          body: `n=${n}`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        if (res.status === 204) acknowledged.push(n);
      } catch {
        return; // the connection died with the server: this request was never acknowledged
      }
    }
  };
  const senders = Array.from({ length: 16 }, sender);
  try {
    await waitUntil(() => acknowledged.length >= 1500, "1500 acknowledged webhooks", 30_000);
  } finally {
    server.proc.kill("SIGKILL");
    killed = true;
  }
  await server.proc.exited;
  await Promise.all(senders);
  expect(acknowledged.length).toBeGreaterThanOrEqual(1500);

  // The restarted server recovers the WAL and serves again.
  const again = await startBinaryServer(dir.path);
  expect((await fetch(`${again.url}/api/health`)).status).toBe(200);
  expect(await again.stop()).toBe(0);

  const db = new Database(join(dir.path, "data", "inlet.db"), { readonly: true });
  const rows = db.query("SELECT resource_id, count(*) AS c FROM events WHERE event = 'crash.test' GROUP BY resource_id").all() as {
    resource_id: string;
    c: number;
  }[];
  db.close();
  const stored = new Map(rows.map((r) => [r.resource_id, r.c]));
  const missing = acknowledged.filter((n) => !stored.has(`crash.${n}`));
  expect(missing).toEqual([]);
  expect(rows.filter((r) => r.c > 1)).toEqual([]);
}, 60_000);
