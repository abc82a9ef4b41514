// The running server keeps the text index caught up from its commit worker, off the request thread.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/config.ts";
import { textWatermark } from "../../src/events/store/text-index.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { waitUntil } from "../support/wait.ts";

const dir = mkdtempSync(join(tmpdir(), "inlet-index-"));
let server: RunningServer;
let key: string;

beforeAll(async () => {
  server = await startServer(resolveConfig({ port: "0", "data-dir": dir }, {}), silentLogger);
  key = server.ctx.serviceAccounts.create("t", "admin").api_key;
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("events committed by the worker are indexed by it, and text queries find them", async () => {
  const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const events = Array.from({ length: 300 }, (_, i) => ({
    event: `sensor.reading.${i % 3 === 0 ? "hot" : "ok"}`,
    resource: { "prefect.resource.id": `sensor.${i}` },
    payload: { note: i === 7 ? "zanzibar" : "plain" },
  }));
  expect((await fetch(`${server.url}/api/events`, { method: "POST", headers: auth, body: JSON.stringify(events) })).status).toBe(204);
  const client = server.ctx.db.$client;
  const maxSeq = () => (client.query("SELECT max(seq) AS m FROM events").get() as { m: number }).m;
  await waitUntil(() => textWatermark(client) >= maxSeq(), "the text index to catch up", 15_000);
  expect(textWatermark(client)).toBe(maxSeq());

  const search = async (query: string) => {
    const res = await fetch(`${server.url}/api/events/filter`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ filter: { text: { query } }, limit: 5 }),
    });
    return (await res.json()) as { total: number; events: { payload: { note: string } }[] };
  };
  const rare = await search("zanzibar");
  expect(rare.total).toBe(1);
  expect(rare.events[0]!.payload.note).toBe("zanzibar");
  expect((await search("hot")).total).toBe(100);
  expect((await search("reading -hot")).total).toBe(200);
}, 30_000);
