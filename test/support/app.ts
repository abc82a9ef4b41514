// A fresh app on a fresh, migrated database, plus an admin key, for front-door tests. In memory
// (the default) the event store's filter reads run inline; on a file in a temporary directory they
// run on the read worker, as they do in a server (src/events/reads/reader.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { databasePath, resolveConfig, type Config } from "../../src/config.ts";
import { createContext, type AppContext, type Clock, type SqliteContext } from "../../src/context.ts";
import { openDatabase, openMemoryDatabase } from "../../src/db/open.ts";
import { SecretBox } from "../../src/verification/secret-box.ts";

export interface TestApp {
  ctx: SqliteContext;
  app: ReturnType<typeof createApp>;
  adminKey: string;
  /** Sends a request through the app; `path` starts with "/". JSON bodies are encoded for you. */
  request(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string>; key?: string | null },
  ): Promise<Response>;
  /** Stops the context (pending commits, the read worker), closes the database, removes its directory. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestAppOptions {
  config?: Partial<Config>;
  clock?: Clock;
  /** "file": a database file in a fresh temporary directory, read through the read worker. */
  database?: "memory" | "file";
}

export function createTestApp(opts: TestAppOptions = {}): TestApp {
  const dir = opts.database === "file" ? mkdtempSync(join(tmpdir(), "inlet-test-")) : null;
  const config = { ...resolveConfig({ "data-dir": dir ?? "/nonexistent-test-dir" }, {}), ...opts.config };
  const db = dir ? openDatabase({ path: databasePath(dir) }) : openMemoryDatabase();
  const ctx = createContext({ config, db, clock: opts.clock, secrets: dir ? SecretBox.forDataDir(dir) : undefined });
  const app = createApp(ctx);
  const adminKey = ctx.serviceAccounts.create("test-admin", "admin").api_key;
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await ctx.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    })());
  return {
    ctx,
    app,
    adminKey,
    close,
    [Symbol.asyncDispose]: close,
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

/**
 * How many reads the event store has sent to its read worker (0 when they ran inline): a look at
 * the reader's private job counter, so that a suite can show its reads took the server's path.
 */
export function workerReads(ctx: Pick<AppContext, "events">): number {
  const reader = (ctx.events as unknown as { reader: { nextId: number } }).reader;
  return reader.nextId - 1;
}
