import { expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { resolveConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { createLogger } from "../../src/log.ts";
import { waitUntil } from "../support/wait.ts";

test("one log line per request with method, status and duration; hook slugs and keys never appear", async () => {
  const lines: string[] = [];
  const ctx = createContext({
    config: resolveConfig({}, {}),
    db: openMemoryDatabase(),
    logger: createLogger("info", (l) => lines.push(l)),
  });
  const app = createApp(ctx);
  const key = ctx.serviceAccounts.create("a", "admin").api_key;
  const res = await app.handle(
    new Request("http://localhost/api/webhooks/", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", template: '{"event": "a", "resource": {"prefect.resource.id": "b"}}' }),
    }),
  );
  const { slug } = await res.json();
  await app.handle(new Request(`http://localhost/hooks/${slug}?token=abc`, { method: "GET" }));
  await app.handle(new Request("http://localhost/hooks/unknown-slug-value-xx", { method: "GET" }));
  // The request log line is written once the response is sent.
  await waitUntil(() => lines.filter((l) => / (GET|POST) /.test(l)).length >= 3, "three request log lines");
  const requestLines = lines.filter((l) => / (GET|POST) /.test(l));
  expect(requestLines).toHaveLength(3);
  expect(requestLines[0]).toMatch(/INFO  POST \/api\/webhooks\/? 201 ms=\d+\.\d request_id=[0-9a-f-]{36}$/);
  expect(requestLines[1]).toMatch(/INFO  GET \/hooks\/\*\*\* 204 ms=/);
  expect(requestLines[2]).toMatch(/INFO  GET \/hooks\/\*\*\* 404 ms=/);
  const all = lines.join("\n");
  for (const secret of [slug, key, "unknown-slug-value-xx", "token=abc"]) expect(all).not.toContain(secret);
  await ctx.events.drain();
});

test("levels below the configured one are not written", () => {
  const lines: string[] = [];
  const log = createLogger("warn", (l) => lines.push(l));
  log.info("quiet");
  log.warn("loud", { n: 1 });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/WARN  loud n=1$/);
});
