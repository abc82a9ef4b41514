// The secrets key: created with the data directory (0600), kept across restarts, and what happens
// when a database meets a key that did not seal its secrets (a restore without secrets.key).
import { describe, expect, test } from "bun:test";
import { sign } from "@octokit/webhooks-methods";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import { silentLogger } from "../../src/log.ts";
import { KEY_FILE, SecretBox } from "../../src/verification/secret-box.ts";
import { createTestApp } from "../support/app.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";

const STATIC = '{"event": "e", "resource": {"prefect.resource.id": "r"}}';

describe("the secrets key", () => {
  test("a server creates secrets.key (0600) on first start and reuses it on the next", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inlet-key-"));
    try {
      const config = { ...resolveConfig({ "data-dir": dir, port: "0" }, {}) };
      const first = await startServer(config, silentLogger);
      await first.stop();
      const path = join(dir, KEY_FILE);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const key = readFileSync(path, "utf8");
      expect(Buffer.from(key.trim(), "base64")).toHaveLength(32);
      const second = await startServer(config, silentLogger);
      await second.stop();
      expect(readFileSync(path, "utf8")).toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("secrets sealed by another key: the hook answers 503 and stores nothing; new secrets fix it", async () => {
    const t = createTestApp({ database: "file" });
    const w = await createWebhook(t, { template: STATIC, verification: { scheme: "github", secret: "before" } });
    t.ctx.secrets = new SecretBox();
    const signed = { "x-hub-signature-256": await sign("before", "{}") };
    const res = await hook(t, w.slug, { body: "{}", headers: signed });
    expect(res.status).toBe(503);
    expect(storedEvents(t)).toHaveLength(0);
    // The API still shows the webhook, and a PATCH without secrets cannot keep ones it cannot read.
    expect((await (await t.request("GET", `/api/webhooks/${w.id}`)).json()).verification).toEqual({ scheme: "github", secret_count: 1 });
    expect((await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { verification: { scheme: "github" } } })).status).toBe(422);
    expect(
      (await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { verification: { scheme: "github", secret: "after" } } })).status,
    ).toBe(204);
    expect((await hook(t, w.slug, { body: "{}", headers: { "x-hub-signature-256": await sign("after", "{}") } })).status).toBe(204);
    await t.close();
  });
});
