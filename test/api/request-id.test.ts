// X-Request-Id on every answer and in its log line; `--log-format json` writes the same line as an
// object a log shipper can read.
import { expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { resolveConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { createLogger } from "../../src/log.ts";
import { waitUntil } from "../support/wait.ts";

const TEMPLATE = '{"event": "rid.test", "resource": {"prefect.resource.id": "rid.test"}}';

function appWithLog(format: "text" | "json") {
  const lines: string[] = [];
  const ctx = createContext({
    config: resolveConfig({}, {}),
    db: openMemoryDatabase(),
    logger: createLogger("info", (l) => lines.push(l), format),
  });
  const app = createApp(ctx);
  const key = ctx.serviceAccounts.create("a", "admin").api_key;
  const send = (method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) =>
    app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    );
  return { ctx, app, lines, send, [Symbol.asyncDispose]: () => ctx.stop() };
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("every kind of answer carries its own X-Request-Id, and the request's log line names it", async () => {
  await using t = appWithLog("text");
  const { slug } = await (await t.send("POST", "/api/webhooks/", { body: { name: "x", template: TEMPLATE } })).json();
  const answers = [
    await t.send("POST", "/api/webhooks/filter", { body: {} }),
    await t.send("GET", "/api/nope"),
    await t.send("POST", "/api/webhooks/", { body: {} }),
    await t.send("POST", `/hooks/${slug}`, { body: { a: 1 } }),
    await t.send("POST", "/hooks/unknown-slug-value-xx", { body: {} }),
    await t.send("POST", "/api/webhooks/filter", { body: {}, headers: { authorization: "Bearer wrong" } }),
    // Refused at the edge, before routing.
    await t.send("POST", "/api/webhooks/filter", { body: {}, headers: { host: "rebound.example" } }),
  ];
  expect(answers.map((r) => r.status)).toEqual([200, 404, 422, 204, 404, 401, 421]);
  const ids = answers.map((r) => r.headers.get("x-request-id"));
  for (const id of ids) expect(id).toMatch(UUID_V7);
  expect(new Set(ids).size).toBe(ids.length);
  await waitUntil(() => ids.every((id) => t.lines.some((l) => l.includes(`request_id=${id}`))), "a log line per request id");
});

test("a proxy's well-formed X-Request-Id is kept; a malformed one is replaced and never logged", async () => {
  await using t = appWithLog("text");
  const kept = await t.send("GET", "/api/health", { headers: { "x-request-id": "caddy-5f1e0c2a-11" } });
  expect(kept.headers.get("x-request-id")).toBe("caddy-5f1e0c2a-11");
  const hostile = "x\u001b[31m injected=1 ".repeat(3);
  const replaced = await t.send("GET", "/api/health", { headers: { "x-request-id": hostile.replace(/[^\x20-\x7e]/g, "") } });
  expect(replaced.headers.get("x-request-id")).toMatch(UUID_V7);
  await waitUntil(() => t.lines.filter((l) => l.includes("/api/health")).length >= 2, "two health lines");
  expect(t.lines.join("\n")).not.toContain("injected");
  expect(t.lines.join("\n")).toContain("request_id=caddy-5f1e0c2a-11");
});

test("--log-format json: each line is one JSON object with time, level, msg and the fields", async () => {
  await using t = appWithLog("json");
  const res = await t.send("POST", "/api/webhooks/filter", { body: {} });
  const id = res.headers.get("x-request-id");
  await waitUntil(() => t.lines.some((l) => l.includes(id!)), "the request's line");
  const records = t.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const line = records.find((r) => r.request_id === id)!;
  expect(line).toMatchObject({ level: "info", msg: "POST /api/webhooks/filter 200", request_id: id });
  expect(Date.parse(line.time as string)).toBeGreaterThan(0);
  expect(typeof line.ms).toBe("string");
});

test("--log-format json: an error is written as its stack, and a field JSON cannot hold still gives a line", () => {
  const lines: string[] = [];
  const logger = createLogger("info", (l) => lines.push(l), "json");
  logger.error("boom", { error: new Error("disk on fire") });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  logger.warn("odd", { cyclic });
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: "boom", error: expect.stringContaining("Error: disk on fire") });
  expect(JSON.parse(lines[1]!)).toMatchObject({ level: "warn", msg: "odd" });
});

test("--log-format must be text or json", () => {
  expect(() => resolveConfig({ "log-format": "xml" }, {})).toThrow('log-format must be one of text, json, got "xml"');
  expect(resolveConfig({}, { INLET_LOG_FORMAT: "json" }).logFormat).toBe("json");
});
