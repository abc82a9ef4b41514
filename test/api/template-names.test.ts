// A template name that is not an identifier is refused wherever a template arrives (the playground
// API, a webhook's create and update), and one stored before names were checked fails its requests
// cleanly: in no case does it run as code on the host.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostileName, NAME_SINKS, placeName } from "../fixtures/templates/hostile-names.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";

const dir = mkdtempSync(join(tmpdir(), "inlet-names-api-"));
const marker = join(dir, "pwned");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => rmSync(marker, { force: true }));

const EVENT = '{"event": "x", "resource": {"prefect.resource.id": "y"}}';
/** The hostile name on line 2, after a line of ordinary template. */
const hostile = (sink: string) => `${EVENT}\n${placeName(sink, hostileName(marker))}`;

/** A viewer's session, as the admin UI holds it: the cookie, and the Origin a browser sends. */
async function signInAsViewer(t: TestApp) {
  await t.ctx.users.create({ email: "viewer@example.com", password: "viewer password", role: "viewer" });
  const login = await t.request("POST", "/api/auth/login", {
    key: null,
    body: { email: "viewer@example.com", password: "viewer password" },
  });
  const cookie = /inlet_session=[^;]*/.exec(login.headers.get("set-cookie")!)![0];
  return { key: null, headers: { cookie, origin: "http://localhost" } };
}

describe("through the API", () => {
  let t: TestApp;
  let viewer: Awaited<ReturnType<typeof signInAsViewer>>;
  beforeAll(async () => {
    t = createTestApp();
    viewer = await signInAsViewer(t);
  });

  test.each(NAME_SINKS)("%s: a viewer's render reports a syntax error on line 2, and validate answers 422", async (_where, sink) => {
    const res = await t.request("POST", "/api/templates/render", {
      ...viewer,
      body: { template: hostile(sink), request: { method: "POST", body: "{}" } },
    });
    expect(res.status).toBe(200);
    const out = await res.json();
    expect(out.event).toBeNull();
    expect(out.error).toMatchObject({ reason: "template_syntax", line: 2 });
    expect(out.error.message).toContain("not a valid name");
    const validate = await t.request("POST", "/api/templates/validate", { ...viewer, body: { template: hostile(sink) } });
    expect(validate.status).toBe(422);
    expect((await validate.json()).error).toMatchObject({ code: "template_invalid", line: 2 });
    expect(existsSync(marker)).toBe(false);
  });

  test('{{ a" }} is a 422 naming line 1, not a 500', async () => {
    const t = createTestApp();
    const res = await t.request("POST", "/api/templates/validate", { body: { template: '{{ a" }}' } });
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({ code: "template_invalid", line: 1 });
  });

  test.each(NAME_SINKS)("%s: a webhook is neither created nor updated with it", async (_where, sink) => {
    const t = createTestApp();
    const created = await t.request("POST", "/api/webhooks/", { body: { name: "evil", template: hostile(sink) } });
    expect(created.status).toBe(422);
    expect((await created.json()).error.line).toBe(2);
    expect(t.ctx.webhooks.list()).toHaveLength(0);
    const w = await createWebhook(t, { template: EVENT });
    const put = await t.request("PUT", `/api/webhooks/${w.id}`, { body: { name: "evil", description: "", template: hostile(sink) } });
    expect(put.status).toBe(422);
    const patch = await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { template: hostile(sink) } });
    expect(patch.status).toBe(422);
    expect(t.ctx.webhooks.get(w.id)?.template).toBe(EVENT);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("a webhook stored with such a template before names were checked", () => {
  test.each(NAME_SINKS)("%s: each request is a 400 with a template_syntax failure event, and runs nothing", async (_where, sink) => {
    const t = createTestApp();
    const row = t.ctx.webhooks.create({ name: "old", description: "", template: hostile(sink), enabled: true, serviceAccountId: null });
    const res = await hook(t, row.slug, { body: "{}", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    const events = storedEvents(t);
    expect(events.map((e) => e.event)).toEqual([FAILED]);
    expect(events[0]!.payload).toMatchObject({ reason: "template_syntax" });
    expect(existsSync(marker)).toBe(false);
  });
});
