// /api/health says the process is alive; /api/ready says it can take events now: the database
// takes a write and has this binary's schema.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { databasePath } from "../../src/config.ts";
import { createTestApp } from "../support/app.ts";

test("a fresh server is ready, without credentials", async () => {
  await using t = createTestApp({ database: "file" });
  const res = await t.request("GET", "/api/ready", { key: null });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ready", database: "writable", migrations: "current" });
});

test("another process holding the write lock → 503 locked, and ready again once it lets go; health stays 200", async () => {
  await using t = createTestApp({ database: "file" });
  const other = new Database(databasePath(t.ctx.config.dataDir));
  try {
    other.exec("BEGIN IMMEDIATE");
    const res = await t.request("GET", "/api/ready", { key: null });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", database: "locked", migrations: "current" });
    expect((await t.request("GET", "/api/health", { key: null })).status).toBe(200);
    other.exec("ROLLBACK");
    expect((await t.request("GET", "/api/ready", { key: null })).status).toBe(200);
  } finally {
    other.close();
  }
  // The probe gave the connection its usual patience back.
  expect(t.ctx.db.$client.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
});

test("a migration this binary knows but the database lacks → 503 pending", async () => {
  await using t = createTestApp({ database: "file" });
  t.ctx.db.$client.exec("DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)");
  const res = await t.request("GET", "/api/ready", { key: null });
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ status: "unavailable", database: "writable", migrations: "pending" });
});
