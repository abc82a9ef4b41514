// The delivery worker against real receivers on loopback: retries on the schedule (on an injected
// clock), Standard Webhooks signatures checked with the `standardwebhooks` library, timeouts,
// redirects, 410, refused metadata addresses, and the events each outcome records.
import { afterEach, beforeEach, describe, expect, setSystemTime, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { RETRY_DELAYS_MS } from "../../src/actions/worker/schedule.ts";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";
import { freePort } from "../support/cli.ts";
import { afterAttempts, attemptsOf, deliveriesOf, settled } from "../support/deliveries.ts";
import { buildFiring, fire, storeAutomation } from "../support/firings.ts";
import { storedEvents } from "../support/hooks.ts";
import { answers, startReceiver, type Receiver } from "../support/receivers.ts";
import { waitUntil } from "../support/wait.ts";

let t: TestApp;
// Real time, so that the library's ±5 minute timestamp check passes; moved by hand from there.
let clock: ReturnType<typeof fixedClock>;
const receivers: Receiver[] = [];
const receiver = (...args: Parameters<typeof startReceiver>) => {
  const r = startReceiver(...args);
  receivers.push(r);
  return r;
};
const RESOLVED: Record<string, string[]> = { "metadata.test": ["169.254.169.254"], "ec2.test": ["10.0.0.1", "fd00:ec2::254"] };

beforeEach(() => {
  clock = fixedClock(Date.now());
  t = createTestApp({
    clock,
    database: "file",
    delivery: { timeoutMs: 500, random: () => 0.5, resolve: async (host) => RESOLVED[host] ?? [] },
  });
  t.ctx.deliveryWorker.start();
});
afterEach(async () => {
  await t.close();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

async function webhookDestination(url: string, extra: Record<string, unknown> = {}) {
  const res = await t.request("POST", "/api/destinations/", { body: { name: "receiver", type: "webhook", config: { url, ...extra } } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; signing_secret: string };
}

/** An automation calling the destination, fired once; its delivery's id. */
async function fireAt(destinationId: string, payload = '{"answer": {{ event.payload.answer }}, "name": "{{ automation.name }}"}') {
  const automation = storeAutomation(t.ctx, [{ type: "call-webhook", destination_id: destinationId, payload }]);
  await fire(t.ctx, buildFiring(automation, clock.now()));
  const [delivery] = deliveriesOf(t.ctx, automation.id);
  return { automation, id: delivery!.id };
}

/** Moves the clock to when the delivery is due and wakes the worker. */
function advanceTo(id: string) {
  clock.set(t.ctx.deliveries.get(id)!.nextAttempt!);
  t.ctx.deliveryWorker.wake();
}

describe("a webhook destination", () => {
  test("500, 500, 200 → delivered on the third attempt, same webhook-id, each signature valid", async () => {
    const r = receiver(answers(500, 500, 200));
    const dest = await webhookDestination(`${r.url}/in`);
    const { automation, id } = await fireAt(dest.id);
    const start = clock.now();

    let row = await afterAttempts(t.ctx, id, 1);
    expect(row.status).toBe("pending");
    expect(row.nextAttempt).toBe(start + 5_000);
    advanceTo(id);
    row = await afterAttempts(t.ctx, id, 2);
    expect(row.nextAttempt).toBe(start + 5_000 + 5 * 60_000);
    advanceTo(id);
    row = await settled(t.ctx, id);
    expect(row.status).toBe("delivered");

    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((q) => q.headers["webhook-id"]))).toEqual(new Set([id]));
    const verifier = new Webhook(dest.signing_secret);
    for (const q of r.received) {
      expect(q.body).toBe('{"answer": 42, "name": "test automation"}');
      expect(q.headers["content-type"]).toBe("application/json");
      // The library checks the timestamp against its clock: set it to the attempt's (moved) time.
      setSystemTime(new Date(Number(q.headers["webhook-timestamp"]) * 1000));
      try {
        expect(() => verifier.verify(q.body, q.headers)).not.toThrow();
      } finally {
        setSystemTime();
      }
    }
    // A signature under another secret does not verify: the check above can fail.
    expect(() =>
      new Webhook(`whsec_${Buffer.from("x".repeat(32)).toString("base64")}`).verify(r.received[0]!.body, r.received[0]!.headers),
    ).toThrow();

    const res = await t.request("GET", `/api/automations/${automation.id}/deliveries`);
    const log = await res.json();
    expect(log.next_page).toBeNull();
    expect(log.deliveries).toHaveLength(1);
    const [d] = log.deliveries;
    expect(d).toMatchObject({ id, action_index: 0, destination_id: dest.id, status: "delivered", next_attempt: null });
    expect(d.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 200]);
    expect(d.attempts[0].response).toBe("answer 1");
    expect(d.attempts[0].error).toBe("HTTP 500");
    expect(d.attempts[0].request).toMatchObject({ method: "POST", url: `${r.url}/in`, body: '{"answer": 42, "name": "test automation"}' });

    // Retried failures are in the log only; the success is one executed event following the triggered one.
    await waitUntil(() => storedEvents(t).some((e) => e.event === "prefect-cloud.automation.action.executed"), "the executed event");
    const events = storedEvents(t);
    const triggered = events.filter((e) => e.event === "prefect-cloud.automation.action.triggered");
    const executed = events.filter((e) => e.event === "prefect-cloud.automation.action.executed");
    expect(triggered).toHaveLength(1);
    expect(executed).toHaveLength(1);
    expect(events.filter((e) => e.event === "prefect-cloud.automation.action.failed")).toEqual([]);
    expect(executed[0]!.follows).toBe(triggered[0]!.id);
    expect(executed[0]!.payload).toMatchObject({ action_index: 0, action_type: "call-webhook", invocation: id, status_code: 200 });
    expect(executed[0]!.resource["prefect.resource.id"]).toBe(`prefect-cloud.automation.${automation.id}`);
  });

  test("the whole schedule: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then failed with a reason", async () => {
    const r = receiver(answers(500));
    const dest = await webhookDestination(r.url);
    const { id } = await fireAt(dest.id);
    const gaps: number[] = [];
    for (let n = 1; n <= RETRY_DELAYS_MS.length; n++) {
      const row = await afterAttempts(t.ctx, id, n);
      gaps.push(row.nextAttempt! - clock.now());
      advanceTo(id);
    }
    const last = await settled(t.ctx, id);
    expect(gaps).toEqual([...RETRY_DELAYS_MS]);
    expect(last.status).toBe("failed");
    expect(last.attemptCount).toBe(8);
    expect(last.reason).toBe("gave up after 8 attempts: HTTP 500");
    expect(r.received).toHaveLength(8);
    await waitUntil(() => storedEvents(t).some((e) => e.event === "prefect-cloud.automation.action.failed"), "the failed event");
    const [event] = storedEvents(t).filter((e) => e.event === "prefect-cloud.automation.action.failed");
    expect(event!.payload.reason).toBe("gave up after 8 attempts: HTTP 500");
  });

  test("jitter spreads a retry by at most ±20 %", async () => {
    const { nextAttemptAt } = await import("../../src/actions/worker/schedule.ts");
    expect(nextAttemptAt(1, 0, null, () => 0)).toBe(4_000);
    expect(nextAttemptAt(1, 0, null, () => 1)).toBe(6_000);
    expect(nextAttemptAt(8, 0, null, () => 0.5)).toBeNull();
  });

  test("Retry-After pushes the retry later than the schedule", async () => {
    const r = receiver(() => new Response("busy", { status: 503, headers: { "retry-after": "120" } }));
    const dest = await webhookDestination(r.url);
    const { id } = await fireAt(dest.id);
    const row = await afterAttempts(t.ctx, id, 1);
    expect(row.nextAttempt! - clock.now()).toBe(120_000);
  });

  test("a receiver down, then up: the retry reaches it", async () => {
    const port = await freePort();
    const dest = await webhookDestination(`http://127.0.0.1:${port}/late`);
    const { id } = await fireAt(dest.id);
    await afterAttempts(t.ctx, id, 1);
    expect(attemptsOf(t.ctx, id)[0]).toMatchObject({ statusCode: null, error: `could not connect to 127.0.0.1:${port}` });
    const late: string[] = [];
    const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: async (q) => (late.push(await q.text()), new Response("ok")) });
    try {
      advanceTo(id);
      expect((await settled(t.ctx, id)).status).toBe("delivered");
      expect(late).toHaveLength(1);
    } finally {
      await server.stop(true);
    }
  });

  test("a receiver that hangs past the timeout: a failed attempt, retried later", async () => {
    const r = receiver(() => new Promise<Response>(() => {}));
    const dest = await webhookDestination(r.url);
    const { id } = await fireAt(dest.id);
    const row = await afterAttempts(t.ctx, id, 1);
    expect(row.status).toBe("pending");
    const [attempt] = attemptsOf(t.ctx, id);
    expect(attempt!.error).toBe("no answer within 500 ms");
    expect(attempt!.durationMs).toBeGreaterThanOrEqual(450);
  });

  test("a redirect is not followed: a failed attempt", async () => {
    const target = receiver();
    const r = receiver(() => new Response(null, { status: 302, headers: { location: `${target.url}/elsewhere` } }));
    const dest = await webhookDestination(r.url);
    const { id } = await fireAt(dest.id);
    const row = await afterAttempts(t.ctx, id, 1);
    expect(row.status).toBe("pending");
    expect(attemptsOf(t.ctx, id)[0]).toMatchObject({ statusCode: 302, error: "redirect (302) not followed" });
    expect(target.received).toEqual([]);
  });

  test("410 Gone: failed at once, the destination disabled, its other pending deliveries failed", async () => {
    const r = receiver(answers(410));
    const dest = await webhookDestination(r.url);
    const automation = storeAutomation(t.ctx, [{ type: "call-webhook", destination_id: dest.id, payload: "{}" }]);
    // A delivery not yet due (its firing is a minute ahead), then one due now.
    await fire(t.ctx, buildFiring(automation, clock.now() + 60_000));
    const [later] = deliveriesOf(t.ctx, automation.id);
    const { id } = await fireAt(dest.id);
    expect((await settled(t.ctx, id)).reason).toBe("the receiver answered 410 Gone: destination disabled");
    expect(r.received).toHaveLength(1);
    expect(t.ctx.deliveries.get(later!.id)).toMatchObject({
      status: "failed",
      reason: "destination disabled: the receiver answered 410 Gone",
    });
    const shown = await (await t.request("GET", `/api/destinations/${dest.id}`)).json();
    expect(shown).toMatchObject({ enabled: false, disabled_reason: "the receiver answered 410 Gone" });
    await waitUntil(
      () => storedEvents(t).filter((e) => e.event === "prefect-cloud.automation.action.failed").length === 2,
      "two failed events",
    );
    // Once disabled, a new firing's delivery fails without a send.
    const after = await fireAt(dest.id);
    expect((await settled(t.ctx, after.id)).reason).toBe("destination disabled: the receiver answered 410 Gone");
    expect(r.received).toHaveLength(1);
  });

  test("a name resolving to a metadata address is refused, and given up at once", async () => {
    const dest = await webhookDestination("http://metadata.test/latest/meta-data");
    const { id } = await fireAt(dest.id);
    const row = await settled(t.ctx, id);
    expect(row).toMatchObject({ status: "failed", reason: "metadata.test is a link-local metadata address: refused" });
    const other = await webhookDestination("http://ec2.test/");
    const second = await fireAt(other.id);
    expect((await settled(t.ctx, second.id)).status).toBe("failed");
  });

  test("a failed delivery retried now is sent again; retry-failed since T retries a destination's", async () => {
    const r = receiver(answers(410, 200));
    const dest = await webhookDestination(r.url);
    const { id } = await fireAt(dest.id);
    expect((await settled(t.ctx, id)).status).toBe("failed");
    expect((await t.request("PATCH", `/api/destinations/${dest.id}`, { body: { enabled: true } })).status).toBe(200);
    const retried = await t.request("POST", `/api/deliveries/${id}/retry`);
    expect(retried.status).toBe(200);
    expect((await retried.json()).status).toBe("pending");
    expect((await settled(t.ctx, id)).status).toBe("delivered");
    expect((await t.request("POST", `/api/deliveries/${id}/retry`)).status).toBe(422);

    const again = await fireAt(dest.id);
    t.ctx.deliveries.retryFailedSince(dest.id, 0, clock.now()); // nothing failed: nothing changes
    expect((await settled(t.ctx, again.id)).status).toBe("delivered");
    const none = await t.request("POST", `/api/destinations/${dest.id}/retry-failed`, { body: { since: new Date(0).toISOString() } });
    expect(await none.json()).toEqual({ retried: 0 });
  });

  test("deliveries are paged newest first", async () => {
    const r = receiver();
    const dest = await webhookDestination(r.url);
    const automation = storeAutomation(t.ctx, [{ type: "call-webhook", destination_id: dest.id, payload: "{}" }]);
    for (let i = 0; i < 3; i++) {
      await fire(t.ctx, buildFiring(automation, clock.now()));
      clock.advance(1000);
    }
    const first = await (await t.request("GET", `/api/automations/${automation.id}/deliveries?limit=2`)).json();
    expect(first.deliveries).toHaveLength(2);
    const second = await (await t.request("GET", `/api/automations/${automation.id}/deliveries?limit=2&page=${first.next_page}`)).json();
    expect(second.deliveries).toHaveLength(1);
    expect(second.next_page).toBeNull();
    const created = [...first.deliveries, ...second.deliveries].map((d: { created: string }) => d.created);
    expect(created).toEqual([...created].sort().reverse());
    expect((await t.request("GET", `/api/automations/${automation.id}/deliveries?page=garbage`)).status).toBe(403);
  });

  test("send test: a signed test message reaches the receiver, and the answer says how it went", async () => {
    const r = receiver();
    const dest = await webhookDestination(r.url);
    const res = await t.request("POST", `/api/destinations/${dest.id}/test`);
    expect(await res.json()).toMatchObject({ ok: true, status_code: 200, error: null, response: "ok" });
    expect(() => new Webhook(dest.signing_secret).verify(r.received[0]!.body, r.received[0]!.headers)).not.toThrow();
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({ type: "inlet.test", destination: { id: dest.id } });
  });
});

describe("stopping", () => {
  test("a send still in flight after the grace period stays pending, unrecorded; one answered in time is recorded", async () => {
    await t.close();
    clock = fixedClock(Date.now());
    t = createTestApp({ clock, database: "file", delivery: { timeoutMs: 5_000, stopGraceMs: 300, random: () => 0.5 } });
    t.ctx.deliveryWorker.start();
    let release!: () => void;
    const slow = receiver(() => new Promise<Response>(() => {}));
    const quick = receiver(() => new Promise<Response>((resolve) => (release = () => resolve(new Response("ok")))));
    const hanging = await fireAt((await webhookDestination(slow.url)).id);
    const answered = await fireAt((await webhookDestination(quick.url)).id);
    await waitUntil(() => slow.received.length === 1 && quick.received.length === 1, "both sends");
    const stopped = t.ctx.deliveryWorker.stop();
    release();
    await stopped;
    expect(t.ctx.deliveries.get(hanging.id)).toMatchObject({ status: "pending", attemptCount: 0 });
    expect(t.ctx.deliveries.get(answered.id)).toMatchObject({ status: "delivered", attemptCount: 1 });
  });
});
