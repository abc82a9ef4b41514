// The `verification` field of the webhook API: validated field by field, secrets write-only and
// encrypted at rest, and counted as authentication by enforce_webhook_auth.
import { describe, expect, test } from "bun:test";
import { sign } from "@octokit/webhooks-methods";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KEY_FILE } from "../../src/verification/secret-box.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createWebhook, hook } from "../support/hooks.ts";

const STATIC = '{"event": "e", "resource": {"prefect.resource.id": "r"}}';

async function status(t: TestApp, method: string, path: string, body?: unknown) {
  const res = await t.request(method, path, { body });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

describe("verification: validation", () => {
  test.each([
    [{ scheme: "bitbucket", secret: "s" }, "verification.scheme"],
    [{ scheme: "hmac", secret: "s" }, "verification.header"],
    [{ scheme: "hmac", header: "X-Sig", algorithm: "md5", secret: "s" }, "verification.algorithm"],
    [{ scheme: "hmac", header: "X-Sig", encoding: "base32", secret: "s" }, "verification.encoding"],
    [{ scheme: "github", secrets: ["a", "b", "c", "d"] }, "verification.secrets"],
    [{ scheme: "github", secrets: [] }, "verification.secrets"],
    [{ scheme: "github" }, "verification.secrets"],
    [{ scheme: "github", secrets: [""] }, "verification.secrets[0]"],
    [{ scheme: "github", secret: "x".repeat(1025) }, "verification.secrets[0]"],
    [{ scheme: "standard-webhooks", secret: "whsec_not base64!" }, "verification.secrets[0]"],
    [{ scheme: "stripe", secret: "s", tolerance_seconds: 0 }, "verification.tolerance_seconds"],
    [{ scheme: "github", secret: "s", tolerance_seconds: 60 }, "verification.tolerance_seconds"],
    [{ scheme: "github", secret: "s", header: "X-Sig" }, "verification.header"],
    [{ scheme: "github", secret: "s", colour: "red" }, "verification.colour"],
    ["github", "verification"],
  ])("%o → 422 naming %s", async (verification, field) => {
    const t = createTestApp();
    const res = await status(t, "POST", "/api/webhooks/", { name: "w", template: STATIC, verification });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("validation");
    expect(res.body.error.message).toStartWith(`${field}: `);
    expect(t.ctx.webhooks.list()).toHaveLength(0);
  });

  test("`secret` is shorthand for one secret; hmac gets its defaults", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, verification: { scheme: "hmac", header: "X-Sig", secret: "one" } });
    const shown = (await status(t, "GET", `/api/webhooks/${w.id}`)).body;
    expect(shown.verification).toEqual({ scheme: "hmac", header: "x-sig", algorithm: "sha256", encoding: "hex", secret_count: 1 });
  });
});

describe("verification: changes", () => {
  test("PATCH without secrets keeps them; another scheme needs new ones; null removes it", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, verification: { scheme: "stripe", secrets: ["whsec_a", "whsec_b"] } });
    expect((await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "stripe", tolerance_seconds: 600 } })).status).toBe(
      204,
    );
    expect((await status(t, "GET", `/api/webhooks/${w.id}`)).body.verification).toEqual({
      scheme: "stripe",
      tolerance_seconds: 600,
      secret_count: 2,
    });
    const other = await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "github" } });
    expect(other.status).toBe(422);
    expect(other.body.error.message).toStartWith("verification.secrets: ");
    expect(
      (await status(t, "PUT", `/api/webhooks/${w.id}`, { name: "w", description: "", template: STATIC, verification: null })).status,
    ).toBe(204);
    expect((await status(t, "GET", `/api/webhooks/${w.id}`)).body.verification).toBeNull();
    expect((await hook(t, w.slug, { body: "{}" })).status).toBe(204);
  });

  test("add_secret keeps the stored secrets and adds one, up to 3", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, verification: { scheme: "github", secrets: ["one", "two"] } });
    expect((await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "github", add_secret: "three" } })).status).toBe(
      204,
    );
    for (const s of ["one", "two", "three"])
      expect((await hook(t, w.slug, { body: "{}", headers: { "x-hub-signature-256": await sign(s, "{}") } })).status).toBe(204);
    const full = await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "github", add_secret: "four" } });
    expect(full.status).toBe(422);
    expect(full.body.error.message).toStartWith("verification.secrets: ");
    const other = await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "stripe", add_secret: "whsec_x" } });
    expect(other.body.error.message).toStartWith("verification.add_secret: ");
  });

  test("a rotation: the new secret replaces the old one, and the old one stops working", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, verification: { scheme: "github", secret: "old" } });
    await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "github", secrets: ["old", "new"] } });
    expect((await hook(t, w.slug, { body: "{}", headers: { "x-hub-signature-256": await sign("old", "{}") } })).status).toBe(204);
    await status(t, "PATCH", `/api/webhooks/${w.id}`, { verification: { scheme: "github", secrets: ["new"] } });
    expect((await hook(t, w.slug, { body: "{}", headers: { "x-hub-signature-256": await sign("old", "{}") } })).status).toBe(401);
    expect((await hook(t, w.slug, { body: "{}", headers: { "x-hub-signature-256": await sign("new", "{}") } })).status).toBe(204);
  });
});

describe("verification and enforce_webhook_auth", () => {
  test("a verified webhook stays enabled; removing its verification is refused; a new one may be created", async () => {
    const t = createTestApp();
    const verified = await createWebhook(t, { name: "verified", template: STATIC, verification: { scheme: "github", secret: "s" } });
    const open = await createWebhook(t, { name: "open", template: STATIC });
    expect((await status(t, "PATCH", "/api/settings", { enforce_webhook_auth: true })).status).toBe(200);
    expect((await status(t, "GET", `/api/webhooks/${verified.id}`)).body.enabled).toBe(true);
    expect((await status(t, "GET", `/api/webhooks/${open.id}`)).body.enabled).toBe(false);

    const remove = await status(t, "PATCH", `/api/webhooks/${verified.id}`, { verification: null });
    expect(remove.status).toBe(422);
    expect(remove.body.error.code).toBe("rule_violation");
    expect((await status(t, "GET", `/api/webhooks/${verified.id}`)).body.verification).toMatchObject({ scheme: "github" });
    const created = await status(t, "POST", "/api/webhooks/", {
      name: "n",
      template: STATIC,
      verification: { scheme: "gitlab", secret: "t" },
    });
    expect(created.status).toBe(201);
    // Disabled, it may lose its verification (the rule is about enabled webhooks).
    expect((await status(t, "PATCH", `/api/webhooks/${verified.id}`, { enabled: false, verification: null })).status).toBe(204);
  });
});

describe("secrets are write-only and encrypted at rest", () => {
  const SECRETS = ["whsec_c2VjcmV0IG51bWJlciBvbmUgZm9yIGdyZXA=", "second-secret-for-grep-7f3a", "third-secret-for-grep-91bc"];

  test("no API answer, stored event or database file holds a secret; the key file is 0600 and apart", async () => {
    const t = createTestApp({ database: "file" });
    const answers: string[] = [];
    const keep = async (method: string, path: string, body?: unknown) => {
      const text = await (await t.request(method, path, { body })).text();
      answers.push(text);
      return text ? JSON.parse(text) : null;
    };
    const a = await keep("POST", "/api/webhooks/", {
      name: "a",
      template: STATIC,
      verification: { scheme: "standard-webhooks", secret: SECRETS[0] },
    });
    const b = await keep("POST", "/api/webhooks/", {
      name: "b",
      template: STATIC,
      verification: { scheme: "gitlab", secrets: SECRETS.slice(1) },
    });
    await keep("PATCH", `/api/webhooks/${b.id}`, { verification: { scheme: "gitlab", secrets: [SECRETS[2]] } });
    await keep("PUT", `/api/webhooks/${a.id}`, {
      name: "a",
      description: "",
      template: STATIC,
      verification: { scheme: "standard-webhooks", secret: SECRETS[0] },
    });
    await keep("GET", `/api/webhooks/${a.id}`);
    await keep("POST", "/api/webhooks/filter", {});
    const rotated = await keep("POST", `/api/webhooks/${b.id}/rotate`);
    // Refused and accepted requests, each leaving an event behind.
    expect((await hook(t, rotated.slug, { body: "{}", headers: { "x-gitlab-token": SECRETS[1]! } })).status).toBe(401);
    expect((await hook(t, a.slug, { body: "{}", headers: { "webhook-id": "x" } })).status).toBe(401);
    expect((await hook(t, rotated.slug, { body: "{}", headers: { "x-gitlab-token": SECRETS[2]! } })).status).toBe(204);
    const events = await keep("POST", "/api/events/filter", {});
    expect(events.events).toHaveLength(3);
    for (const e of events.events) await keep("GET", `/api/events/${e.id}`);
    // Refusals name the field, never the value.
    const refused = await keep("POST", "/api/webhooks/", {
      name: "c",
      template: STATIC,
      verification: { scheme: "github", secrets: [...SECRETS, "4"] },
    });
    expect(refused.error.message).toStartWith("verification.secrets: ");
    await keep("PATCH", `/api/webhooks/${b.id}`, { verification: { scheme: "hmac", secrets: SECRETS } });
    expect(answers.join("\n")).toContain('"secret_count"');

    const dir = t.ctx.config.dataDir;
    const files = readdirSync(dir).filter((f) => f !== KEY_FILE);
    expect(files).toContain("inlet.db");
    const stored = files.map((f) => readFileSync(join(dir, f)).toString("latin1")).join("\n");
    for (const secret of SECRETS) {
      expect(answers.join("\n")).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain("standard-webhooks");
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    await t.close();
  });
});
