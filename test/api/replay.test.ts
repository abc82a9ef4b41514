// POST /api/webhooks/{id}/replay: failed requests, kept byte for byte in their failure events, run
// again through the webhook's current template, each into at most one event that follows it.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";
import { AWKWARD_BODY } from "../support/signing.ts";

const BROKEN = '{"event": "{{ body.missing.field }}", "resource": {"prefect.resource.id": "r"}}';
// A body without `kind` still fails: the resource id renders empty.
const FIXED = '{"event": "replayed.{{ body.kind }}", "resource": {"prefect.resource.id": "{{ body.kind }}"}}';
const json = { "content-type": "application/json" };

async function brokenHook(t: TestApp, extra: Record<string, unknown> = {}) {
  const w = await createWebhook(t, { template: BROKEN, ...extra });
  const fix = () => t.request("PATCH", `/api/webhooks/${w.id}`, { body: { template: FIXED } });
  return { w, fix };
}

async function replay(t: TestApp, id: string, body: Record<string, unknown>) {
  const res = await t.request("POST", `/api/webhooks/${id}/replay`, { body });
  return { status: res.status, body: await res.json() };
}

const failures = (t: TestApp) => storedEvents(t).filter((e) => e.event === FAILED);

describe("replay", () => {
  test("a failure replayed after the template is fixed: stored once, following the failure, its bytes exact", async () => {
    const t = createTestApp();
    const { w, fix } = await brokenHook(t);
    const body = AWKWARD_BODY.replace('"n"', '"kind": "push", "n"');
    expect((await hook(t, w.slug, { body, headers: json, query: "a=1" })).status).toBe(400);
    const [failure] = failures(t);
    expect(failure!.payload.raw_body).toBe(body);
    expect(failure!.payload.query).toEqual({ a: "1" });
    await fix();

    const first = await replay(t, w.id, { event_ids: [failure!.id] });
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([{ failure_event_id: failure!.id, status: "stored", event_id: expect.any(String) }]);
    const replayed = storedEvents(t).find((e) => e.id === first.body.results[0].event_id)!;
    expect(replayed).toMatchObject({ event: "replayed.push", follows: failure!.id });
    expect(replayed.payload.body).toEqual(JSON.parse(body));

    const again = await replay(t, w.id, { event_ids: [failure!.id] });
    expect(again.body.results).toEqual([
      { failure_event_id: failure!.id, status: "skipped", error: expect.stringContaining("already replayed") },
    ]);
    expect(storedEvents(t)).toHaveLength(2);
  });

  test("since/until replays this webhook's failures in the range, oldest first", async () => {
    const clock = fixedClock();
    const t = createTestApp({ clock });
    const { w, fix } = await brokenHook(t);
    const other = await brokenHook(t);
    for (const kind of ["a", "b", "c"]) {
      await hook(t, w.slug, { body: JSON.stringify({ kind }), headers: json });
      await hook(t, other.w.slug, { body: JSON.stringify({ kind }), headers: json });
      clock.advance(60_000);
    }
    await fix();
    const since = new Date(clock.now() - 150_000).toISOString();
    const until = new Date(clock.now() - 30_000).toISOString();
    const res = await replay(t, w.id, { since, until });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["stored", "stored"]);
    expect(res.body.more).toBe(false);
    const events = storedEvents(t).filter((e) => e.event.startsWith("replayed."));
    expect(events.map((e) => e.event)).toEqual(["replayed.b", "replayed.c"]);
  });

  test("a dry run stores nothing and says what a real run would do", async () => {
    const t = createTestApp();
    const { w, fix } = await brokenHook(t);
    await hook(t, w.slug, { body: '{"kind": "x"}', headers: json });
    await hook(t, w.slug, { body: '{"other": 1}', headers: json });
    await fix();
    const ids = failures(t).map((e) => e.id);
    const dry = await replay(t, w.id, { event_ids: ids, dry_run: true });
    expect(dry.body.results).toEqual([
      { failure_event_id: ids[0], status: "stored" },
      { failure_event_id: ids[1], status: "failed", error: expect.stringContaining("prefect.resource.id") },
    ]);
    expect(storedEvents(t)).toHaveLength(2);
    const real = await replay(t, w.id, { event_ids: ids });
    expect(real.body.results.map((r: { status: string }) => r.status)).toEqual(["stored", "failed"]);
  });

  test("a replay that fails again reports it and writes no new failure event", async () => {
    const t = createTestApp();
    const { w } = await brokenHook(t);
    await hook(t, w.slug, { body: "{}", headers: json });
    const [failure] = failures(t);
    const res = await replay(t, w.id, { event_ids: [failure!.id] });
    expect(res.body.results).toEqual([
      { failure_event_id: failure!.id, status: "failed", error: expect.stringContaining("The rendered event is invalid") },
    ]);
    expect(storedEvents(t)).toHaveLength(1);
  });

  test("a binary body is kept as base64 with its marker and replayed byte for byte", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: '{"event": "{{ body.nope.x }}", "resource": {"prefect.resource.id": "r"}}' });
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41, 0x80, 0x0a]);
    expect((await hook(t, w.slug, { body: bytes, headers: { "content-type": "application/octet-stream" } })).status).toBe(400);
    const [failure] = failures(t);
    expect(failure!.payload.raw_body).toEqual({ base64: Buffer.from(bytes).toString("base64") });
    const tpl = '{"event": "bin", "resource": {"prefect.resource.id": "r"}, "payload": {"chars": {{ body|length }}}}';
    await t.request("PATCH", `/api/webhooks/${w.id}`, { body: { template: tpl } });
    expect((await replay(t, w.id, { event_ids: [failure!.id] })).body.results[0].status).toBe("stored");
    expect(storedEvents(t).at(-1)!.payload).toEqual({ chars: new TextDecoder().decode(bytes).length });
  });

  test("authentication and size failures, other webhooks' failures and other events are skipped, with the reason", async () => {
    const t = createTestApp({ config: { maxBodyBytes: 64 } });
    const account = t.ctx.serviceAccounts.create("sender", "webhook");
    const w = await createWebhook(t, { template: FIXED, verification: { scheme: "hmac", header: "X-Sig", secret: "s" } });
    const keyed = await createWebhook(t, { name: "keyed", template: FIXED, service_account_id: account.id });
    const sig = createHmac("sha256", "s").update('{"kind":"ok"}').digest("hex");
    await hook(t, w.slug, { body: '{"kind":"ok"}', headers: { ...json, "x-sig": sig } });
    await hook(t, w.slug, { body: "{}", headers: json });
    await hook(t, w.slug, { body: "x".repeat(100), headers: { ...json, "x-sig": sig } });
    await hook(t, keyed.slug, { body: "{}", headers: json });
    const [stored, badSignature, tooLarge, unauthorized] = storedEvents(t);
    expect([badSignature, tooLarge, unauthorized].map((e) => e!.payload.reason)).toEqual([
      "signature_invalid",
      "body_too_large",
      "unauthorized",
    ]);

    const ids = [badSignature!.id, tooLarge!.id, unauthorized!.id, stored!.id, "00000000-0000-4000-8000-000000000000"];
    const res = await replay(t, w.id, { event_ids: ids });
    expect(res.body.results).toEqual([
      { failure_event_id: ids[0], status: "skipped", error: "failures for signature_invalid are never replayed" },
      { failure_event_id: ids[1], status: "skipped", error: "failures for body_too_large are never replayed" },
      { failure_event_id: ids[2], status: "skipped", error: "not a failure event of this webhook" },
      { failure_event_id: ids[3], status: "skipped", error: "not a failure event of this webhook" },
      { failure_event_id: ids[4], status: "skipped", error: "not a failure event of this webhook" },
    ]);
    expect((await replay(t, keyed.id, { event_ids: [unauthorized!.id] })).body.results[0].error).toBe(
      "failures for unauthorized are never replayed",
    );
    expect(storedEvents(t)).toHaveLength(4);
  });

  test("a failure whose redelivery was stored meanwhile is skipped (dedup_key)", async () => {
    const t = createTestApp();
    const { w, fix } = await brokenHook(t, { dedup_key: "{{ headers['x-github-delivery'] }}" });
    const headers = { ...json, "x-github-delivery": "d-1" };
    await hook(t, w.slug, { body: '{"kind":"k"}', headers });
    await fix();
    await hook(t, w.slug, { body: '{"kind":"k"}', headers });
    const [failure, redelivered] = storedEvents(t);
    const res = await replay(t, w.id, { event_ids: [failure!.id] });
    expect(res.body.results[0]).toEqual({
      failure_event_id: failure!.id,
      status: "skipped",
      error: expect.stringContaining(redelivered!.id),
    });
  });

  test.each([
    [{}, "event_ids"],
    [{ event_ids: ["a"], since: "2026-01-01T00:00:00Z" }, "event_ids"],
    [{ event_ids: ["a"], until: "2026-01-01T00:00:00Z" }, "until"],
    [{ since: "yesterday" }, "since"],
    [{ since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z" }, "until"],
  ])("%o → 422 naming %s", async (body, field) => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: FIXED });
    const res = await replay(t, w.id, body);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toStartWith(`${field}: `);
  });

  test("an unknown webhook → 404", async () => {
    const t = createTestApp();
    expect((await replay(t, "00000000-0000-4000-8000-000000000000", { since: "2026-01-01T00:00:00Z" })).status).toBe(404);
  });
});

describe("what failure events keep", () => {
  test("a body of control characters is kept as base64, so the failure event still fits", async () => {
    const t = createTestApp({ config: { maxBodyBytes: 600 * 1024 } });
    const { w } = await brokenHook(t);
    const body = "\u0001".repeat(500 * 1024);
    expect((await hook(t, w.slug, { body, headers: { "content-type": "text/plain" } })).status).toBe(400);
    const [failure] = failures(t);
    expect(failure!.payload.raw_body).toEqual({ base64: Buffer.from(body).toString("base64") });
  });

  test("a body over 512 KiB is not kept byte for byte, and its replay is skipped with the reason", async () => {
    const t = createTestApp({ config: { maxBodyBytes: 1024 * 1024 } });
    const { w, fix } = await brokenHook(t);
    await hook(t, w.slug, { body: JSON.stringify({ kind: "big", pad: "x".repeat(600 * 1024) }), headers: json });
    const [failure] = failures(t);
    expect(failure!.payload.raw_body).toBeNull();
    await fix();
    const res = await replay(t, w.id, { event_ids: [failure!.id] });
    expect(res.body.results[0]).toMatchObject({ status: "skipped", error: expect.stringContaining("does not keep the request's body") });
  });
});
