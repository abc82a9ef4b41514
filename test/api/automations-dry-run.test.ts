// POST /api/automations/dry-run: the most recent stored events replayed through a trigger; which
// firings it would have had, with nothing recorded or sent.
import { describe, expect, test } from "bun:test";
import { createTestApp, fixedClock } from "../support/app.ts";
import { outboxRows, postEvents } from "../support/automation-engine.ts";

const automation = (trigger: Record<string, unknown>) => ({ name: "try me", trigger, actions: [{ type: "do-nothing" }] });
const count = (t: { ctx: { db: { $client: { query(s: string): { get(): unknown } } } } }, table: string) =>
  (t.ctx.db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("POST /api/automations/dry-run", () => {
  test("answers the firings the trigger would have had over recent events; records and sends nothing", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    t.ctx.engine.start();
    for (let i = 0; i < 5; i++) {
      await postEvents(t, [{ event: "payment.failed", resource: "stripe.customer.1" }]);
      clock.advance(60_000);
    }
    await postEvents(t, [{ event: "payment.succeeded", resource: "stripe.customer.1" }]);
    const events = t.ctx.events.count();
    const res = await t.request("POST", "/api/automations/dry-run", {
      body: { automation: automation({ type: "event", expect: ["payment.failed"], threshold: 2, within: 150 }), limit: 100 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { evaluated: number; firings: { state: string; occurred: string; event_id: string }[] };
    expect(body.evaluated).toBe(6);
    expect(body.firings.map((f) => [f.state, f.occurred])).toEqual([
      ["Triggered", "2026-01-02T03:05:05.000Z"],
      ["Triggered", "2026-01-02T03:08:05.000Z"],
    ]);
    expect(typeof body.firings[0]!.event_id).toBe("string");
    await t.ctx.engine.tick();
    expect(t.ctx.events.count()).toBe(events);
    expect(count(t, "automations")).toBe(0);
    expect(outboxRows(t)).toEqual([]);
    expect(count(t, "staged_events")).toBe(0);
  });

  test("limit replays only the most recent events", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    await postEvents(
      t,
      Array.from({ length: 5 }, () => ({ event: "x" })),
    );
    const res = await t.request("POST", "/api/automations/dry-run", {
      body: { automation: automation({ type: "event", expect: ["x"] }), limit: 2 },
    });
    expect(((await res.json()) as { evaluated: number; firings: unknown[] }).firings).toHaveLength(2);
  });

  test("a Proactive trigger's silence shows as a firing at its deadline", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    await postEvents(t, [{ event: "ping" }]);
    clock.advance(600_000);
    const res = await t.request("POST", "/api/automations/dry-run", {
      body: { automation: automation({ type: "event", expect: ["ping"], posture: "Proactive", within: 60 }) },
    });
    const body = (await res.json()) as { firings: unknown[] };
    // The first window (opened by the ping) was satisfied; the second, [60 s, 120 s), was silent.
    expect(body.firings).toEqual([
      { state: "Triggered", occurred: "2026-01-02T03:06:05.000Z", event_id: expect.any(String), triggering_labels: {} },
    ]);
  });

  test.each([
    ["a limit of 0", { limit: 0 }],
    ["a limit over 10,000", { limit: 10_001 }],
    ["a fractional limit", { limit: 1.5 }],
    ["no automation", { automation: undefined }],
    ["an automation that would be refused on save", { automation: { name: "x", trigger: { type: "event" }, actions: [] } }],
  ])("%s → 422, nothing replayed", async (_, override) => {
    await using t = createTestApp();
    const body = { automation: automation({ type: "event", expect: ["x"] }), ...override };
    const res = await t.request("POST", "/api/automations/dry-run", { body });
    expect(res.status).toBe(422);
  });
});
