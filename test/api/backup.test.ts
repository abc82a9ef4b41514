import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";
import { createWebhook, hook } from "../support/hooks.ts";
import { ORIGIN, people } from "../support/people.ts";

const TEMPLATE = '{"event": "backup.test.{{ body.n }}", "resource": {"prefect.resource.id": "backup.test"}}';
let apps: TestApp[] = [];

afterEach(async () => {
  await Promise.all(apps.map((t) => t.close()));
  apps = [];
});

function app(database: "file" | "memory" = "file") {
  const t = createTestApp({ database, clock: fixedClock(Date.parse("2026-03-04T05:06:07.890Z")) });
  apps.push(t);
  return t;
}

/** Opens a downloaded snapshot as a database of its own. */
function openSnapshot(bytes: ArrayBuffer): { db: Database; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "inlet-backup-test-"));
  const file = join(dir, "snapshot.db");
  writeFileSync(file, new Uint8Array(bytes));
  const db = new Database(file, { readonly: true });
  return { db, cleanup: () => (db.close(), rmSync(dir, { recursive: true, force: true })) };
}

describe("GET /api/backup", () => {
  test("an admin downloads a snapshot that opens as a database with every event and webhook", async () => {
    const t = app();
    const created = await createWebhook(t, { name: "backed up", template: TEMPLATE });
    for (const n of [1, 2, 3]) expect((await hook(t, created.slug, { body: JSON.stringify({ n }) })).status).toBe(204);

    const res = await t.request("GET", "/api/backup");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.sqlite3");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="inlet-backup-2026-03-04T050607Z.db"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const bytes = await res.arrayBuffer();
    expect(new TextDecoder().decode(bytes.slice(0, 15))).toBe("SQLite format 3");

    const snap = openSnapshot(bytes);
    try {
      expect(snap.db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const names = snap.db.query("SELECT event FROM events ORDER BY event").all() as { event: string }[];
      expect(names.map((r) => r.event)).toEqual(["backup.test.1", "backup.test.2", "backup.test.3"]);
      expect(snap.db.query("SELECT name FROM webhooks").all()).toEqual([{ name: "backed up" }]);
    } finally {
      snap.cleanup();
    }
  });

  test("the temporary copy is gone from the data directory once the download starts", async () => {
    const t = app();
    const dir = dirname(t.ctx.db.$client.filename);
    const before = readdirSync(dir).sort();
    const res = await t.request("GET", "/api/backup");
    expect(res.status).toBe(200);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(4096);
  });

  test("an in-memory database is served too (no data directory needed)", async () => {
    const t = app("memory");
    const res = await t.request("GET", "/api/backup");
    expect(res.status).toBe(200);
    const snap = openSnapshot(await res.arrayBuffer());
    try {
      expect(snap.db.query("SELECT count(*) AS n FROM service_accounts").get()).toEqual({ n: 1 });
    } finally {
      snap.cleanup();
    }
  });

  test.each([
    ["no credentials", null, 401, "unauthorized"],
    ["a viewer's session", "viewer", 403, "forbidden"],
  ] as const)("%s is refused, and no snapshot is in the body", async (_, who, status, code) => {
    const t = app();
    const { viewer } = await people(t);
    const headers: Record<string, string> = who === "viewer" ? { cookie: viewer, origin: ORIGIN } : {};
    const res = await t.request("GET", "/api/backup", { key: null, headers });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-disposition")).toBeNull();
    expect((await res.json()).error.code).toBe(code);
  });

  test("an admin's session may download it (the UI's button)", async () => {
    const t = app();
    const { admin } = await people(t);
    const res = await t.request("GET", "/api/backup", { key: null, headers: { cookie: admin } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toStartWith("attachment;");
    await res.arrayBuffer();
  });
});
