// A fresh app on a fresh, migrated in-memory database, plus an admin key, for front-door tests.
import { createApp } from "../../src/app.ts";
import { resolveConfig, type Config } from "../../src/config.ts";
import { createContext, type Clock, type SqliteContext } from "../../src/context.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";

export interface TestApp {
  ctx: SqliteContext;
  app: ReturnType<typeof createApp>;
  adminKey: string;
  /** Sends a request through the app; `path` starts with "/". JSON bodies are encoded for you. */
  request(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string>; key?: string | null }): Promise<Response>;
}

export function createTestApp(opts: { config?: Partial<Config>; clock?: Clock } = {}): TestApp {
  const config = { ...resolveConfig({ "data-dir": "/nonexistent-test-dir" }, {}), ...opts.config };
  const ctx = createContext({ config, db: openMemoryDatabase(), clock: opts.clock });
  const app = createApp(ctx);
  const adminKey = ctx.serviceAccounts.create("test-admin", "admin").api_key;
  return {
    ctx,
    app,
    adminKey,
    request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const key = init.key === undefined ? adminKey : init.key;
      if (key) headers.authorization = `Bearer ${key}`;
      let body: BodyInit | undefined;
      if (init.body !== undefined) {
        if (typeof init.body === "string" || init.body instanceof Uint8Array) body = init.body as BodyInit;
        else {
          body = JSON.stringify(init.body);
          headers["content-type"] ??= "application/json";
        }
      }
      return app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
    },
  };
}

/** A clock tests can move. */
export function fixedClock(start = Date.parse("2026-01-02T03:04:05.000Z")): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => void (now = ms), advance: (ms) => void (now += ms) };
}
