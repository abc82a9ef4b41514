// A template that would run for a long time fails that one request (400 + failure event) at its
// budget or deadline, while the server goes on answering everybody else.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

const dir = mkdtempSync(join(tmpdir(), "inlet-slow-"));
let server: RunningServer;
let key: string;

beforeAll(async () => {
  server = await startServer(resolveConfig({ port: "0", "data-dir": dir, "max-body-bytes": String(8 * 1024 * 1024) }, {}), silentLogger);
  key = server.ctx.serviceAccounts.create("t", "admin").api_key;
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SLOW = `{% for a in body %}{% for b in body %}{% if a == b %}{% endif %}{% endfor %}{% endfor %}
{"event": "never", "resource": {"prefect.resource.id": "x"}}`;
const FAST = '{"event": "fast.{{ body.n }}", "resource": {"prefect.resource.id": "x"}}';

async function webhook(template: string): Promise<string> {
  const res = await fetch(`${server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "w", template }),
  });
  return ((await res.json()) as { url: string }).url;
}

test("slow renders fail with template_limit while fast hooks and the API keep answering", async () => {
  const slowUrl = await webhook(SLOW);
  const fastUrl = await webhook(FAST);
  const huge = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => i));
  const json = { "content-type": "application/json" };

  const slow = Array.from({ length: 3 }, () => fetch(slowUrl, { method: "POST", body: huge, headers: json }));
  const fast = Array.from({ length: 20 }, (_, n) => fetch(fastUrl, { method: "POST", body: JSON.stringify({ n }), headers: json }));
  const health = Array.from({ length: 5 }, () => fetch(`${server.url}/api/health`));

  expect((await Promise.all(slow)).map((r) => r.status)).toEqual([400, 400, 400]);
  expect((await Promise.all(fast)).map((r) => r.status)).toEqual(Array(20).fill(204));
  expect((await Promise.all(health)).map((r) => r.status)).toEqual(Array(5).fill(200));

  const rows = server.ctx.db.$client.query("SELECT data FROM events").all() as { data: string }[];
  const events = rows.map((r) => JSON.parse(r.data));
  const failures = events.filter((e) => e.event === "prefect-cloud.webhook.failed");
  expect(failures).toHaveLength(3);
  for (const f of failures) expect(f.payload.reason).toBe("template_limit");
  expect(events.filter((e) => e.event.startsWith("fast.")).length).toBe(20);
}, 30_000);
