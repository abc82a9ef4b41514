import { describe, expect, test } from "bun:test";
import { createTestApp, fixedClock } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";
import { indexBatch } from "../../src/events/store/text-index.ts";
import { PREFECT_DYNAMIC } from "../fixtures/templates/prefect.ts";

// Prefect's documented templates (reference: Prefect Cloud webhooks page).
const STATIC = `{
    "event": "model.refreshed",
    "resource": {
        "prefect.resource.id": "product.models.recommendations",
        "prefect.resource.name": "Recommendations [Products]",
        "producing-team": "Data Science"
    }
}`;

describe("Prefect's documented examples, end to end", () => {
  test("static template hit with a bare GET → 204; the event carries the webhook as related and the debugging payload", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { name: "models", template: STATIC });
    const res = await hook(t, w.slug, { method: "GET", headers: { "user-agent": "curl/8.0", authorization: "Bearer not-for-templates" } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const [event] = storedEvents(t);
    expect(event).toMatchObject({
      event: "model.refreshed",
      resource: {
        "prefect.resource.id": "product.models.recommendations",
        "prefect.resource.name": "Recommendations [Products]",
        "producing-team": "Data Science",
      },
      related: [
        { "prefect.resource.id": `prefect-cloud.webhook.${w.id}`, "prefect.resource.role": "webhook", "prefect.resource.name": "models" },
      ],
      payload: { method: "GET", body: "" },
      follows: null,
    });
    expect((event!.payload.headers as Record<string, string>)["user-agent"]).toBe("curl/8.0");
    expect(JSON.stringify(event)).not.toContain("not-for-templates");
  });

  test("dynamic form template, with and without the default", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: PREFECT_DYNAMIC });
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect(
      (await hook(t, w.slug, { body: "model=recommendations&friendly_name=Recommendations%20[Products]", headers: form })).status,
    ).toBe(204);
    expect((await hook(t, w.slug, { body: "model=churn", headers: form })).status).toBe(204);
    const [a, b] = storedEvents(t);
    expect(a!.resource).toMatchObject({
      "prefect.resource.id": "product.models.recommendations",
      "prefect.resource.name": "Recommendations [Products]",
    });
    expect(b!.resource).toMatchObject({ "prefect.resource.id": "product.models.churn", "prefect.resource.name": "churn" });
  });

  test("pass-through {{ body|tojson }} stores the posted event with defaults filled in", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: "{{ body|tojson }}" });
    const posted = {
      event: "model.refreshed",
      resource: {
        "prefect.resource.id": "product.models.recommendations",
        "prefect.resource.name": "Recommendations [Products]",
        "producing-team": "Data Science",
      },
    };
    expect((await hook(t, w.slug, { body: JSON.stringify(posted), headers: { "content-type": "application/json" } })).status).toBe(204);
    const [event] = storedEvents(t);
    expect(event).toMatchObject(posted);
    expect(event!.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("request parsing seen by templates", () => {
  test("headers are case-insensitive, Authorization is hidden, query and method are available", async () => {
    const t = createTestApp();
    const template = `{"event": "{{ method }}.{{ query.kind }}", "resource": {"prefect.resource.id": "x",
      "a": "{{ headers['X-Token-Id'] }}", "b": "{{ headers['x-token-id'] }}", "auth": "{{ headers.authorization }}"}}`;
    const w = await createWebhook(t, { template });
    const res = await hook(t, w.slug, {
      method: "PUT",
      query: "kind=deploy&kind=build",
      headers: { "X-Token-ID": "t1", authorization: "Bearer secret-value" },
    });
    expect(res.status).toBe(204);
    const [event] = storedEvents(t);
    expect(event!.event).toBe("PUT.build");
    expect(event!.resource).toMatchObject({ a: "t1", b: "t1", auth: "" });
    expect(JSON.stringify(storedEvents(t))).not.toContain("secret-value");
  });

  test.each([
    ["application/json", '{"n": 15}', "{'n': 15}"],
    ["text/plain", '{"n": 15}', "{'n': 15}"],
    ["text/plain", "hello", "hello"],
    ["application/json", "{not json", "{not json"],
    ["application/x-www-form-urlencoded", "a=1&a=2&b=x", "{'a': '2', 'b': 'x'}"],
  ])("%s body %j is given to the template as %j", async (type, body, expected) => {
    const t = createTestApp();
    const w = await createWebhook(t, {
      template: '{"event": "e", "resource": {"prefect.resource.id": "x"}, "payload": {"seen": "{{ body }}"}}',
    });
    expect((await hook(t, w.slug, { body, headers: { "content-type": type } })).status).toBe(204);
    expect(storedEvents(t)[0]!.payload).toEqual({ seen: expected });
  });

  test("a JSON body's integral floats print as Python prints them (21.0), and are stored as floats, as Prefect stores them", async () => {
    const t = createTestApp();
    const template =
      '{"event": "sensor.read", "resource": {"prefect.resource.id": "sensor.{{ body.id }}", "t": "{{ body.temperature }}"}, "payload": {"doubled": {{ body.temperature * 2 }}, "raw": {{ body|tojson }}}}';
    const w = await createWebhook(t, { template });
    const res = await hook(t, w.slug, {
      body: '{"id": 7, "temperature": 21.0, "humidity": 40.5}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(204);
    const [event] = storedEvents(t);
    expect(event!.resource).toEqual({ "prefect.resource.id": "sensor.7", t: "21.0" });
    expect(event!.payload).toEqual({ doubled: 42, raw: { humidity: 40.5, id: 7, temperature: 21 } });
    // Without a payload in the template, the debugging payload keeps the body's numbers.
    const plain = await createWebhook(t, { template: '{"event": "sensor.plain", "resource": {"prefect.resource.id": "s"}}' });
    expect((await hook(t, plain.slug, { body: '{"temperature": 21.0}', headers: { "content-type": "application/json" } })).status).toBe(
      204,
    );
    expect(storedEvents(t).find((e) => e.event === "sensor.plain")!.payload.body).toEqual({ temperature: 21 });
    // As JSON text, as Prefect's json.dumps writes them: floats keep their `.0`, ints do not get one.
    const texts = (t.ctx.db.$client.query("SELECT data FROM events ORDER BY seq").all() as { data: string }[]).map((r) => r.data);
    expect(texts[0]).toContain('"payload":{"doubled":42.0,"raw":{"humidity":40.5,"id":7,"temperature":21.0}}');
    expect(texts[1]).toContain('"body":{"temperature":21.0}');
    const listed = await (await t.request("POST", "/api/events/filter", { body: { filter: { order: "ASC" } } })).text();
    expect(listed).toContain('"doubled":42.0');
  });

  test("every method Prefect accepts produces an event; HEAD and DELETE too", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: '{"event": "m.{{ method|lower }}", "resource": {"prefect.resource.id": "x"}}' });
    for (const method of ["GET", "HEAD", "DELETE", "POST", "PUT", "PATCH"]) expect((await hook(t, w.slug, { method })).status).toBe(204);
    expect(storedEvents(t).map((e) => e.event)).toEqual(["m.get", "m.head", "m.delete", "m.post", "m.put", "m.patch"]);
  });
});

describe("status codes and what is stored", () => {
  test("a body nested deeper than can be stored → 400 and a failure event; the other senders of the batch get 204", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { name: "deep", template: STATIC });
    const deep = "[".repeat(100_000) + "1" + "]".repeat(100_000);
    const json = { "content-type": "application/json" };
    const [hostile, normal] = await Promise.all([
      hook(t, w.slug, { body: deep, headers: json }),
      hook(t, w.slug, { body: '{"a": 1}', headers: json }),
    ]);
    expect([hostile.status, normal.status]).toEqual([400, 204]);
    expect(await hostile.text()).toBe("");
    const stored = storedEvents(t);
    expect(stored.map((e) => e.event).sort()).toEqual(["model.refreshed", FAILED]);
    const failure = stored.find((e) => e.event === FAILED)!;
    expect(failure.payload).toMatchObject({ reason: "invalid_event", body: "[not shown: nested too deeply]" });
    expect(failure.payload.error).toContain("nested deeper than 1000 levels");
  });

  test("a sender's infinite number cannot hang a render: 1e999 in humanize_fractional is a template error (400)", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, {
      name: "fractions",
      template: '{"event": "x", "resource": {"prefect.resource.id": "r", "f": "{{ body.v|humanize_fractional }}"}}',
    });
    const json = { "content-type": "application/json" };
    expect((await hook(t, w.slug, { body: '{"v": 1e999}', headers: json })).status).toBe(400);
    expect((await hook(t, w.slug, { body: '{"v": 2.5}', headers: json })).status).toBe(204);
    const [failure, ok] = storedEvents(t);
    expect(failure!.payload).toMatchObject({ reason: "template_error", error: "line 1: cannot convert float infinity to integer" });
    expect(ok!.resource.f).toBe("2 1/2");
  });

  test("a body nested past SQLite's JSON depth is refused (400), so text search and counts keep working", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { name: "deep", template: STATIC });
    const json = { "content-type": "application/json" };
    const nested = (levels: number) => `${"[".repeat(levels)}"needle"${"]".repeat(levels)}`;
    // The default payload puts the body three levels down: {payload: {body: …}}.
    expect((await hook(t, w.slug, { body: nested(1_500), headers: json })).status).toBe(400);
    expect((await hook(t, w.slug, { body: nested(990), headers: json })).status).toBe(204);
    const search = await t.request("POST", "/api/events/filter", { body: { filter: { text: { query: "needle" } } } });
    expect(search.status).toBe(200);
    expect((await search.json()).total).toBe(1);
    const counts = await t.request("POST", "/api/events/count-by/resource", { body: { filter: {} } });
    expect(counts.status).toBe(200);
    expect(indexBatch(t.ctx.db.$client)).toBeGreaterThan(0);
  });

  test("unknown, malformed and disabled slugs → 404 with an empty body; nothing stored, no failure event", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC, enabled: false });
    for (const slug of [w.slug, "AAAAAAAAAAAAAAAAAAAAAA", "short", `${w.slug}x`]) {
      const res = await hook(t, slug, { method: "GET" });
      expect(res.status).toBe(404);
      expect(await res.text()).toBe("");
    }
    expect((await hook(t, `${w.slug}/extra`, { method: "GET" })).status).toBe(404);
    expect(storedEvents(t)).toEqual([]);
  });

  test.each([
    ["template output is not JSON", '{"event": "x", "resource": {"prefect.resource.id": "a"}', "invalid_json", /line 1, column \d+/],
    [
      "the event is invalid",
      '{"event": "x", "resource": {"prefect.resource.id": "a", "n": {{ body.n }}}}',
      "invalid_event",
      /resource\["n"\]: label values must be strings, got number/,
    ],
    ["the render fails", '{"event": "{{ body.missing + 1 }}", "resource": {"prefect.resource.id": "a"}}', "template_error", /./],
  ])("%s → 400 with an empty body and a failure event saying why", async (_name, template, reason, message) => {
    const t = createTestApp();
    const w = await createWebhook(t, { name: "fragile", template });
    const res = await hook(t, w.slug, {
      body: '{"n": 15}',
      headers: { "content-type": "application/json", authorization: "Bearer hidden-token" },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("");
    const events = storedEvents(t);
    expect(events).toHaveLength(1);
    const failure = events[0]!;
    expect(failure.event).toBe(FAILED);
    expect(failure.resource).toEqual({ "prefect.resource.id": `prefect-cloud.webhook.${w.id}`, "prefect.resource.name": "fragile" });
    expect(failure.payload).toMatchObject({ method: "POST", body: { n: 15 }, reason });
    expect(failure.payload.error as string).toMatch(message);
    expect(JSON.stringify(failure)).not.toContain("hidden-token");
    if (reason !== "template_error") expect(typeof failure.payload.rendered).toBe("string");
  });

  test("a webhook with a service account: no key or another account's key → 401 and a failure event; its key → 204", async () => {
    const t = createTestApp();
    const mine = t.ctx.serviceAccounts.create("sender", "webhook");
    const other = t.ctx.serviceAccounts.create("other", "webhook");
    const w = await createWebhook(t, { template: STATIC, service_account_id: mine.id });
    expect((await hook(t, w.slug, { method: "GET" })).status).toBe(401);
    expect((await hook(t, w.slug, { method: "GET", headers: { authorization: `Bearer ${other.api_key}` } })).status).toBe(401);
    expect((await hook(t, w.slug, { method: "GET", headers: { authorization: `Bearer ${t.adminKey}` } })).status).toBe(401);
    const ok = await hook(t, w.slug, { method: "GET", headers: { authorization: `Bearer ${mine.api_key}` } });
    expect(ok.status).toBe(204);
    const events = storedEvents(t);
    expect(events.map((e) => e.event)).toEqual([FAILED, FAILED, FAILED, "model.refreshed"]);
    expect(events.map((e) => e.payload.reason)).toEqual(["unauthorized", "unauthorized", "unauthorized", undefined]);
    const all = JSON.stringify(events);
    for (const key of [mine.api_key, other.api_key, t.adminKey]) expect(all).not.toContain(key);
  });

  test("a body over max-body-bytes → 413 (declared or chunked), with a failure event and nothing else stored", async () => {
    const t = createTestApp({ config: { maxBodyBytes: 1000 } });
    const w = await createWebhook(t, { template: STATIC });
    expect((await hook(t, w.slug, { body: "x".repeat(1001) })).status).toBe(413);
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(400));
        c.close();
      },
    });
    expect((await hook(t, w.slug, { body: chunked })).status).toBe(413);
    expect((await hook(t, w.slug, { body: "x".repeat(1000) })).status).toBe(204);
    const events = storedEvents(t);
    expect(events.map((e) => e.payload.reason ?? e.event)).toEqual(["body_too_large", "body_too_large", "model.refreshed"]);
  });

  test("a storage failure → 503 and nothing half-written", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    t.ctx.db.$client.exec("CREATE TRIGGER fail_resources BEFORE INSERT ON event_resources BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    const res = await hook(t, w.slug, { method: "GET" });
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("");
    expect(t.ctx.db.$client.query("SELECT count(*) AS n FROM events").get()).toEqual({ n: 0 });
  });

  test("an overloaded write queue → 429 with Retry-After; only the 204s are stored", async () => {
    const t = createTestApp({ config: { writeQueueLimit: 2 } });
    const w = await createWebhook(t, { template: STATIC });
    const responses = await Promise.all(Array.from({ length: 8 }, () => hook(t, w.slug, { method: "GET" })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 204 || s === 429)).toBe(true);
    for (const r of responses.filter((r) => r.status === 429)) expect(r.headers.get("retry-after")).toBe("1");
    expect(storedEvents(t)).toHaveLength(statuses.filter((s) => s === 204).length);
  });

  test("failure events are rate-limited per webhook: excess ones are counted, then reported", async () => {
    const clock = fixedClock();
    const t = createTestApp({ clock });
    const w = await createWebhook(t, { template: "not json" });
    for (let i = 0; i < 50; i++) expect((await hook(t, w.slug, { method: "GET" })).status).toBe(400);
    expect(storedEvents(t)).toHaveLength(20);
    clock.advance(60_000);
    expect((await hook(t, w.slug, { method: "GET" })).status).toBe(400);
    const events = storedEvents(t);
    expect(events).toHaveLength(21);
    expect(events[20]!.payload.suppressed).toBe(30);
  });
});

describe("handshakes", () => {
  test("Azure Event Grid subscription validation → 200 with the validation code; nothing stored", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    const body = JSON.stringify([
      {
        id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
        topic: "/subscriptions/xxx",
        subject: "",
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: "2018-01-25T22:12:19.4556811Z",
        metadataVersion: "1",
        dataVersion: "1",
        data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://example.invalid/validate" },
      },
    ]);
    const res = await hook(t, w.slug, {
      body,
      headers: { "content-type": "application/json", "aeg-event-type": "SubscriptionValidation" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
    expect(storedEvents(t)).toEqual([]);
  });

  test("CloudEvents webhook validation: OPTIONS with WebHook-Request-Origin → 200 WebHook-Allowed-Origin", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: STATIC });
    const res = await hook(t, w.slug, { method: "OPTIONS", headers: { "webhook-request-origin": "eventemitter.example.com" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("webhook-allowed-origin")).toBe("eventemitter.example.com");
    expect(storedEvents(t)).toEqual([]);
  });

  test("handshakes come after authentication", async () => {
    const t = createTestApp();
    const sa = t.ctx.serviceAccounts.create("sender", "webhook");
    const w = await createWebhook(t, { template: STATIC, service_account_id: sa.id });
    expect((await hook(t, w.slug, { method: "OPTIONS", headers: { "webhook-request-origin": "x" } })).status).toBe(401);
    const ok = await hook(t, w.slug, {
      method: "OPTIONS",
      headers: { "webhook-request-origin": "x", authorization: `Bearer ${sa.api_key}` },
    });
    expect(ok.status).toBe(200);
  });
});
