// dedup_key: a redelivery (same non-empty key, same webhook, within the retention window) is
// answered 204 and neither stored nor evaluated again, and counted on the webhook.
import { describe, expect, test } from "bun:test";
import { sign } from "@octokit/webhooks-methods";
import { DEDUP_PRESETS } from "../../web/src/lib/dedup-presets.ts";
import { renderTemplate } from "../../src/templates/render.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { databasePath, resolveConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openDatabase } from "../../src/db/open.ts";
import { SecretBox } from "../../src/verification/secret-box.ts";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";

const STATIC = '{"event": "e", "resource": {"prefect.resource.id": "r"}}';
const preset = (provider: string) => DEDUP_PRESETS.find((p) => p.provider === provider)!.key;
const GITHUB_KEY = preset("GitHub");

const delivery = (id: string) => ({ "x-github-delivery": id, "content-type": "application/json" });
const duplicatesOf = async (t: TestApp, id: string) => (await (await t.request("GET", `/api/webhooks/${id}`)).json()).duplicates;

describe("dedup_key", () => {
  test("GitHub's redelivery (same X-GitHub-Delivery) → 204, stored once, counted", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, dedup_key: GITHUB_KEY });
    for (let i = 0; i < 3; i++) expect((await hook(t, w.slug, { body: "{}", headers: delivery("d-1") })).status).toBe(204);
    expect((await hook(t, w.slug, { body: "{}", headers: delivery("d-2") })).status).toBe(204);
    expect(storedEvents(t)).toHaveLength(2);
    expect(await duplicatesOf(t, w.id)).toBe(2);
    expect((await (await t.request("GET", `/api/webhooks/${w.id}`)).json()).dedup_key).toBe(GITHUB_KEY);
  });

  test("keys are per webhook: two hooks sharing one delivery id both store it", async () => {
    const t = createTestApp();
    const a = await createWebhook(t, { name: "a", template: STATIC, dedup_key: GITHUB_KEY });
    const b = await createWebhook(t, { name: "b", template: STATIC, dedup_key: GITHUB_KEY });
    expect((await hook(t, a.slug, { body: "{}", headers: delivery("shared") })).status).toBe(204);
    expect((await hook(t, b.slug, { body: "{}", headers: delivery("shared") })).status).toBe(204);
    expect(storedEvents(t)).toHaveLength(2);
    expect(await duplicatesOf(t, a.id)).toBe(0);
  });

  test("an empty key never deduplicates", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, dedup_key: preset("CloudEvents") });
    for (let i = 0; i < 2; i++) expect((await hook(t, w.slug, { body: "{}" })).status).toBe(204);
    expect(storedEvents(t)).toHaveLength(2);
    expect(await duplicatesOf(t, w.id)).toBe(0);
  });

  test("a key older than the retention window no longer counts", async () => {
    const clock = fixedClock();
    const t = createTestApp({ clock, config: { retentionDays: 2 } });
    const w = await createWebhook(t, { template: STATIC, dedup_key: GITHUB_KEY });
    await hook(t, w.slug, { body: "{}", headers: delivery("d") });
    clock.advance(2 * 86_400_000 - 1000);
    await hook(t, w.slug, { body: "{}", headers: delivery("d") });
    expect(storedEvents(t)).toHaveLength(1);
    clock.advance(2000);
    await hook(t, w.slug, { body: "{}", headers: delivery("d") });
    expect(storedEvents(t)).toHaveLength(2);
  });

  test("a request that failed is evaluated again when redelivered (nothing was stored under its key)", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: "{{ body.missing.field }}", dedup_key: GITHUB_KEY });
    expect((await hook(t, w.slug, { body: "{}", headers: delivery("d") })).status).toBe(400);
    await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { template: STATIC } });
    expect((await hook(t, w.slug, { body: "{}", headers: delivery("d") })).status).toBe(204);
    expect(storedEvents(t).map((e) => e.event)).toEqual([FAILED, "e"]);
  });

  test("a redelivery racing its original is still stored once", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, dedup_key: GITHUB_KEY });
    const answers = await Promise.all(Array.from({ length: 5 }, () => hook(t, w.slug, { body: "{}", headers: delivery("race") })));
    expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    expect(storedEvents(t)).toHaveLength(1);
    expect(await duplicatesOf(t, w.id)).toBe(4);
  });

  test("Stripe's preset reads the body's event id", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, dedup_key: preset("Stripe") });
    const body = JSON.stringify({ id: "evt_1", object: "event" });
    for (let i = 0; i < 2; i++) await hook(t, w.slug, { body, headers: { "content-type": "application/json" } });
    expect(storedEvents(t)).toHaveLength(1);
  });

  test("a known key never lets an unsigned request through: verification comes first", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, dedup_key: GITHUB_KEY, verification: { scheme: "github", secret: "s" } });
    const signed = { ...delivery("d"), "x-hub-signature-256": await sign("s", "{}") };
    expect((await hook(t, w.slug, { body: "{}", headers: signed })).status).toBe(204);
    expect((await hook(t, w.slug, { body: "{}", headers: delivery("d") })).status).toBe(401);
    expect(await duplicatesOf(t, w.id)).toBe(0);
  });

  test.each([
    ["a constant", "x-github-delivery"],
    ["bad syntax", "{{ headers[ }}"],
  ])("a dedup_key that is %s → 422 naming dedup_key", async (_, dedup_key) => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/webhooks/", { body: { name: "w", template: STATIC, dedup_key } });
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toStartWith("dedup_key: ");
  });

  test("every preset compiles, and renders empty (never deduplicates) on a request without its id", () => {
    const t = createTestApp();
    for (const p of DEDUP_PRESETS) {
      expect(t.ctx.templates.validate(p.key)).toBeNull();
      const bare = renderTemplate(t.ctx.templates.compile(p.key), { method: "POST", headers: {}, body: {}, query: {} });
      expect(bare.trim()).toBe("");
    }
  });

  test("the Standard Webhooks preset reads Svix's header name too", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, dedup_key: preset("Standard Webhooks") });
    for (let i = 0; i < 2; i++) await hook(t, w.slug, { body: "{}", headers: { "svix-id": "msg_1" } });
    for (let i = 0; i < 2; i++) await hook(t, w.slug, { body: "{}", headers: { "webhook-id": "msg_2" } });
    expect(storedEvents(t)).toHaveLength(2);
  });
});

describe("POST /api/events with an id already stored", () => {
  test("is not stored twice", async () => {
    const t = createTestApp();
    const event = {
      id: "8f1a2b3c-0000-4000-8000-000000000001",
      occurred: "2026-01-02T03:04:05Z",
      event: "e",
      resource: { "prefect.resource.id": "r" },
    };
    expect((await t.request("POST", "/api/events", { body: [event] })).status).toBe(204);
    expect((await t.request("POST", "/api/events", { body: [event, event] })).status).toBe(204);
    expect(storedEvents(t)).toHaveLength(1);
  });
});

describe("dedup keys across a restart", () => {
  test("keys recorded just before the server stops are written, and still count after it starts again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inlet-dedup-"));
    try {
      const config = resolveConfig({ "data-dir": dir }, {});
      const start = () => {
        const ctx = createContext({ config, db: openDatabase({ path: databasePath(dir) }), secrets: SecretBox.forDataDir(dir) });
        return { ctx, app: createApp(ctx) };
      };
      const send = (app: ReturnType<typeof createApp>, slug: string) =>
        app.handle(new Request(`http://localhost/hooks/${slug}`, { method: "POST", body: "{}", headers: delivery("across") }));
      const first = start();
      const key = first.ctx.serviceAccounts.create("admin", "admin").api_key;
      const created = await first.app.handle(
        new Request("http://localhost/api/webhooks/", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ name: "w", template: STATIC, dedup_key: GITHUB_KEY }),
        }),
      );
      const w = (await created.json()) as { id: string; slug: string };
      expect((await send(first.app, w.slug)).status).toBe(204);
      expect((await send(first.app, w.slug)).status).toBe(204);
      await first.ctx.stop();

      const second = start();
      expect((await send(second.app, w.slug)).status).toBe(204);
      expect(second.ctx.events.count()).toBe(1);
      expect(second.ctx.webhooks.toApi(second.ctx.webhooks.get(w.id)!).duplicates).toBe(2);
      await second.ctx.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
