// The context builds every piece of a server's state and stops it all in one documented order;
// its config is frozen, so nothing (the base URL for --port 0 included) changes after start-up.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, type Config } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { toEvent } from "../../src/events/model.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import type { CompiledTemplate } from "../../src/templates/render.ts";
import { createTestApp } from "../support/app.ts";
import { createWebhook, hook } from "../support/hooks.ts";

// The debug lines stop() writes, with the lock's release recorded (and whether the database was
// still open then) just before the last.
const STOP_STEPS = [
  "background work stopped",
  "live feeds ended",
  "requests finished",
  "automation engine stopped",
  "reads closed, group commit drained",
  "database closed",
  "lock released (database open: false)",
  "data directory released",
];

/** A context whose debug lines and lock release are recorded in one list, in the order they happen. */
function recordedContext() {
  const log: string[] = [];
  const db = openMemoryDatabase();
  const lock = { release: () => log.push(`lock released (database open: ${isOpen()})`) };
  const isOpen = () => {
    try {
      db.$client.query("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  };
  const logger = createLogger("debug", (line) => {
    const step = /stopping: ([^"]+?)(?:"|$| \{)/.exec(line)?.[1];
    if (step) log.push(step.trim());
  });
  const ctx = createContext({ config: resolveConfig({}, {}), db, logger, lock });
  // The background work, spied on: what starts it and when it is stopped.
  const started: string[] = [];
  ctx.events.startTextIndexer = () => (started.push("text indexer"), () => void log.push("text indexer stopped"));
  ctx.events.startRetention = () => (started.push("retention"), () => void log.push("retention stopped"));
  return { ctx, log, isOpen, started };
}

const event = (name: string) => toEvent({ event: name, resource: { "prefect.resource.id": "test.lifecycle" } }, { now: Date.now() });

describe("ctx.stop()", () => {
  test("stops in the documented order, awaiting the requests in flight before it closes the stores", async () => {
    const { ctx, log, isOpen } = recordedContext();
    ctx.start();
    let finishRequests!: () => void;
    const requestsDone = new Promise<void>((resolve) => (finishRequests = resolve));
    const stopped = ctx.stop(requestsDone);
    // Until the requests finish, feeds have ended but nothing is closed: a request may still write.
    expect(log).toEqual(["text indexer stopped", "retention stopped", ...STOP_STEPS.slice(0, 2)]);
    expect(isOpen()).toBe(true);
    const write = ctx.events.write(event("lifecycle.late"));
    finishRequests();
    await stopped;
    expect(log).toEqual(["text indexer stopped", "retention stopped", ...STOP_STEPS]);
    // The write queued before the stores closed was committed, not dropped.
    expect(await write).not.toBeNull();
  });

  test("a second stop() returns the same promise and does nothing more", async () => {
    const { ctx, log } = recordedContext();
    const first = ctx.stop();
    expect(ctx.stop()).toBe(first);
    await first;
    const after = log.length;
    await ctx.stop();
    expect(log.length).toBe(after);
    expect(log.filter((l) => l.startsWith("lock released"))).toHaveLength(1);
  });

  test("a context that never started its background work stops all the same", async () => {
    const { ctx, log, started } = recordedContext();
    await ctx.stop();
    expect(started).toEqual([]);
    expect(log).toEqual(STOP_STEPS);
  });
});

describe("ctx.start()", () => {
  test("a context starts no background work until asked, and starts it once", () => {
    const { ctx, started } = recordedContext();
    expect(started).toEqual([]);
    ctx.start();
    ctx.start();
    expect(started).toEqual(["text indexer", "retention"]);
  });

  test("start() after stop() starts nothing", async () => {
    const { ctx, started } = recordedContext();
    await ctx.stop();
    ctx.start();
    expect(started).toEqual([]);
  });
});

describe("the config is frozen", () => {
  test("a config handed to createContext is frozen in the context, its list of hosts too", () => {
    const given: Config = { ...resolveConfig({}, {}), allowedHosts: ["nas"] };
    const ctx = createContext({ config: given, db: openMemoryDatabase() });
    expect(Object.isFrozen(ctx.config)).toBe(true);
    expect(Object.isFrozen(ctx.config.allowedHosts)).toBe(true);
    expect(() => {
      (ctx.config as Config).baseUrl = "http://elsewhere:1";
    }).toThrow(TypeError);
    expect(() => {
      (ctx.config.allowedHosts as string[]).push("evil.example");
    }).toThrow(TypeError);
    expect(ctx.config.baseUrl).toBe("http://127.0.0.1:4280");
    expect(ctx.config.allowedHosts).toEqual(["nas"]);
  });

  test("resolveConfig returns a frozen config", () => {
    const config = resolveConfig({ port: "0" }, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as Config).port = 1;
    }).toThrow(TypeError);
  });
});

describe("the one template cache", () => {
  test("validation on save, the playground and ingestion share compiled templates by source", async () => {
    const t = createTestApp();
    const template = '{"event": "cache.{{ body.n }}", "resource": {"prefect.resource.id": "cache.test"}}';
    const compiled: CompiledTemplate[] = [];
    const compile = t.ctx.templates.compile.bind(t.ctx.templates);
    t.ctx.templates.compile = (source) => {
      const result = compile(source);
      if (source === template) compiled.push(result);
      return result;
    };
    const webhook = await createWebhook(t, { template });
    expect((await t.request("POST", "/api/templates/render", { body: { template, request: { body: '{"n": 0}' } } })).status).toBe(200);
    expect((await hook(t, webhook.slug, { body: '{"n": 1}', headers: { "content-type": "application/json" } })).status).toBe(204);
    expect((await hook(t, webhook.slug, { body: '{"n": 2}', headers: { "content-type": "application/json" } })).status).toBe(204);
    expect(compiled).toHaveLength(4);
    expect(new Set(compiled).size).toBe(1);
    await t.ctx.events.drain();
  });
});

describe("a server on --port 0", () => {
  let dir: string | null = null;
  let running: RunningServer | null = null;
  afterEach(async () => {
    await running?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    running = null;
    dir = null;
  });

  test("its frozen config's base URL names the bound port, and the caller's config is left as given", async () => {
    dir = mkdtempSync(join(tmpdir(), "inlet-ctx-"));
    const given = resolveConfig({ host: "127.0.0.1", port: "0", "data-dir": dir }, {});
    running = await startServer(given, silentLogger);
    const port = new URL(running.url).port;
    expect(port).not.toBe("0");
    expect(running.ctx.config.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(Object.isFrozen(running.ctx.config)).toBe(true);
    expect(given.baseUrl).toBe("http://127.0.0.1:0");
    const webhook = running.ctx.webhooks.create({ name: "h", description: "", template: "{}", enabled: true, serviceAccountId: null });
    expect(running.ctx.webhooks.toApi(webhook).url).toStartWith(`http://127.0.0.1:${port}/hooks/`);
  });

  test("stopping it twice stops it once", async () => {
    dir = mkdtempSync(join(tmpdir(), "inlet-ctx-"));
    running = await startServer(resolveConfig({ host: "127.0.0.1", port: "0", "data-dir": dir }, {}), silentLogger);
    const first = running.stop();
    expect(running.stop()).toBe(first);
    await first;
  });
});
