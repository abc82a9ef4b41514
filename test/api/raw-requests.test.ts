// The request behind each hook event, as it arrived: kept with its event for
// --raw-retention-days (webhook.site's inspector), readable by admins and viewers, never holding a
// credential, and gone with its event.
import { describe, expect, test } from "bun:test";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { createTestApp, fixedClock } from "../support/app.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";
import { people } from "../support/people.ts";
import { waitUntil } from "../support/wait.ts";

// A template that sets its own payload: without the kept request, what GitHub sent is stored nowhere.
const OWN_PAYLOAD = `{
  "event": "github.{{ headers['x-github-event'] }}",
  "resource": {"prefect.resource.id": "github.repo.{{ body.repository.full_name }}"},
  "payload": {"ref": "{{ body.ref }}"}
}`;
const SIMPLE = '{"event": "raw.test", "resource": {"prefect.resource.id": "raw.{{ query.n }}"}}';

type Example = { name: string; examples: Record<string, unknown>[] };
const push = (examples as unknown as Example[]).find((e) => e.name === "push")!.examples[0]!;
const rawRows = (t: ReturnType<typeof createTestApp>) =>
  (t.ctx.db.$client.query("SELECT count(*) AS n FROM raw_requests").get() as { n: number }).n;

describe("the request behind a hook event", () => {
  test("a real GitHub push: method, query, headers without credentials and the body byte for byte", async () => {
    await using t = createTestApp({ database: "file" });
    const w = await createWebhook(t, { template: OWN_PAYLOAD });
    // Odd whitespace and escapes: the body must come back as sent, not as re-serialized JSON.
    const body = JSON.stringify(push, null, 1).replace("\n", "\r\n") + "\n";
    const res = await hook(t, w.slug, {
      query: "source=github&n=1",
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-hub-signature-256": "sha256=abc",
        authorization: "Bearer inlet_secret_should_not_be_kept",
        cookie: "inlet_session=also-secret",
      },
    });
    expect(res.status).toBe(204);
    const [event] = storedEvents(t);
    expect(event!.payload).toEqual({ ref: push.ref });

    const answer = await t.request("GET", `/api/events/${event!.id}/request`);
    expect(answer.status).toBe(200);
    const kept = await answer.json();
    expect(kept).toMatchObject({
      event_id: event!.id,
      webhook_id: w.id,
      method: "POST",
      query: "source=github&n=1",
      body,
      body_encoding: "utf-8",
    });
    expect(kept.headers).toMatchObject({
      "content-type": "application/json",
      "x-github-event": "push",
      "x-hub-signature-256": "sha256=abc",
    });
    expect(kept.headers).not.toHaveProperty("authorization");
    expect(kept.headers).not.toHaveProperty("cookie");
    expect(Date.parse(kept.received)).toBe(Date.parse(event!.received));
    const everything = JSON.stringify(t.ctx.db.$client.query("SELECT webhook_id, method, query, headers FROM raw_requests").all());
    expect(everything).not.toContain("inlet_secret_should_not_be_kept");
    expect(everything).not.toContain("also-secret");
  });

  test("a body that is not UTF-8 comes back base64-encoded, exactly", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: SIMPLE });
    const bytes = new Uint8Array([0, 255, 254, 0x80, 10, 13, 0xc3]);
    expect((await hook(t, w.slug, { query: "n=2", body: bytes, headers: { "content-type": "application/octet-stream" } })).status).toBe(
      204,
    );
    const kept = await (await t.request("GET", `/api/events/${storedEvents(t)[0]!.id}/request`)).json();
    expect(kept.body_encoding).toBe("base64");
    expect(new Uint8Array(Buffer.from(kept.body, "base64"))).toEqual(bytes);
  });

  test("a refused request keeps no request row (its failure event holds what replay needs)", async () => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: '{"event": "x", "resource": {"prefect.resource.id": "{{ 1 + body.nope }}"}}' });
    expect((await hook(t, w.slug, { body: "{}", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect(rawRows(t)).toBe(0);
  });

  test("unknown event → 404 Event not found; an event with no kept request (posted to the API) → 404 saying so", async () => {
    await using t = createTestApp();
    const missing = await t.request("GET", "/api/events/0b5c6a0e-1c5d-4b43-9f09-123456789abc/request");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.message).toBe("Event not found");
    const id = "7f9b4c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b";
    expect(
      (await t.request("POST", "/api/events", { body: [{ id, event: "api.posted", resource: { "prefect.resource.id": "a" } }] })).status,
    ).toBe(204);
    const none = await t.request("GET", `/api/events/${id}/request`);
    expect(none.status).toBe(404);
    expect((await none.json()).error.message).toBe("No request is kept for this event");
  });

  test("--raw-retention-days 0: nothing is kept", async () => {
    await using t = createTestApp({ config: { rawRetentionDays: 0 } });
    const w = await createWebhook(t, { template: SIMPLE });
    expect((await hook(t, w.slug, { query: "n=3", body: "x" })).status).toBe(204);
    expect(rawRows(t)).toBe(0);
    expect((await t.request("GET", `/api/events/${storedEvents(t)[0]!.id}/request`)).status).toBe(404);
  });

  test("a viewer reads it too", async () => {
    await using t = createTestApp();
    const { viewer } = await people(t);
    const w = await createWebhook(t, { template: SIMPLE });
    await hook(t, w.slug, { query: "n=4", body: "seen by viewers" });
    const res = await t.request("GET", `/api/events/${storedEvents(t)[0]!.id}/request`, { key: null, headers: { cookie: viewer } });
    expect(res.status).toBe(200);
    expect((await res.json()).body).toBe("seen by viewers");
  });
});

describe("GET /api/webhooks/{id}/requests", () => {
  test("this webhook's most recent requests, newest first, up to limit", async () => {
    await using t = createTestApp();
    const a = await createWebhook(t, { template: SIMPLE, name: "a" });
    const b = await createWebhook(t, { template: SIMPLE, name: "b" });
    for (const n of [1, 2, 3]) await hook(t, a.slug, { query: `n=${n}`, body: `a${n}` });
    await hook(t, b.slug, { query: "n=9", body: "b9" });
    const all = await (await t.request("GET", `/api/webhooks/${a.id}/requests`)).json();
    expect(all.requests.map((r: { body: string }) => r.body)).toEqual(["a3", "a2", "a1"]);
    const two = await (await t.request("GET", `/api/webhooks/${a.id}/requests?limit=2`)).json();
    expect(two.requests.map((r: { query: string }) => r.query)).toEqual(["n=3", "n=2"]);
  });

  test.each(["0", "101", "x", "-1", "2.5"])("limit=%s → 422 naming it", async (limit) => {
    await using t = createTestApp();
    const w = await createWebhook(t, { template: SIMPLE });
    const res = await t.request("GET", `/api/webhooks/${w.id}/requests?limit=${limit}`);
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toBe("limit: must be a whole number from 1 to 100");
  });

  test("an unknown webhook → 404", async () => {
    await using t = createTestApp();
    expect((await t.request("GET", "/api/webhooks/0b5c6a0e-1c5d-4b43-9f09-123456789abc/requests")).status).toBe(404);
  });
});

describe("retention", () => {
  test("kept requests expire after --raw-retention-days while their events stay; an expired event takes its request along", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock, config: { rawRetentionDays: 7, retentionDays: 30 } });
    const w = await createWebhook(t, { template: SIMPLE });
    await hook(t, w.slug, { query: "n=old", body: "old" });
    clock.advance(8 * 86_400_000);
    await hook(t, w.slug, { query: "n=new", body: "new" });
    expect(rawRows(t)).toBe(2);
    t.ctx.start();
    await waitUntil(() => rawRows(t) === 1, "the old request's expiry");
    expect(storedEvents(t)).toHaveLength(2);
    const left = await (await t.request("GET", `/api/webhooks/${w.id}/requests`)).json();
    expect(left.requests.map((r: { body: string }) => r.body)).toEqual(["new"]);

    // The events' own retention: deleting an event deletes its kept request with it.
    t.ctx.db.$client.exec("DELETE FROM events");
    expect(rawRows(t)).toBe(0);
  });
});
