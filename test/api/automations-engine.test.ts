// The engine through the front door: automations created through the API, events posted to
// POST /api/events, and what the engine recorded: the firing's event in the event store and its
// actions in the outbox, once, after the event's commit.
import { describe, expect, test } from "bun:test";
import { createTestApp, fixedClock } from "../support/app.ts";
import { createAutomation, firingEvents, outboxRows, postEvents } from "../support/automation-engine.ts";
import { storedEvents } from "../support/hooks.ts";

const reactive = (expect: string[], extra: Record<string, unknown> = {}) => ({
  name: `on ${expect.join(",")}`,
  trigger: { type: "event", expect, posture: "Reactive", threshold: 1, within: 0, ...extra },
});

describe("a firing", () => {
  test("a matching event fires after its commit: a triggered event in the store, its actions in the outbox", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    t.ctx.engine.start();
    const id = await createAutomation(t, {
      ...reactive(["github.push"], { match: { "prefect.resource.id": "github.repo.*" }, for_each: ["prefect.resource.id"] }),
      actions: [{ type: "do-nothing" }],
      actions_on_trigger: [{ type: "do-nothing" }],
    });
    await postEvents(t, [
      { event: "github.push", resource: "github.repo.inlet" },
      { event: "github.star", resource: "github.repo.inlet" },
    ]);
    const fired = firingEvents(t);
    expect(fired).toHaveLength(1);
    const push = storedEvents(t).find((e) => e.event === "github.push")!;
    expect(fired[0]).toMatchObject({
      event: "prefect-cloud.automation.triggered",
      resource: {
        "prefect.resource.id": `prefect-cloud.automation.${id}`,
        "prefect.resource.name": "on github.push",
        "prefect.posture": "Reactive",
      },
      related: [{ "prefect.resource.id": `prefect.event.${push.id}`, "prefect.resource.role": "triggering-event" }],
      payload: { triggering_labels: { "prefect.resource.id": "github.repo.inlet" }, triggering_event: push },
    });
    const rows = outboxRows(t);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.automationId === id)).toBe(true);
    expect(new Set(rows.map((r) => r.firingId)).size).toBe(1);
    expect(storedEvents(t).filter((e) => e.event === "prefect-cloud.automation.action.triggered")).toHaveLength(2);
    expect(t.ctx.engine.statusOf(id)).toEqual({ last_triggered: "2026-01-02T03:04:05.000Z", last_resolved: null, proactive: null });
  });

  test("nothing is evaluated on the request's path: an engine that is not started records nothing", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    await createAutomation(t, reactive(["x"]));
    await postEvents(t, [{ event: "x" }]);
    expect(firingEvents(t)).toEqual([]);
    expect(outboxRows(t)).toEqual([]);
  });

  test("each event is evaluated once, however often the engine is woken", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    t.ctx.engine.start();
    await createAutomation(t, reactive(["x"]));
    await postEvents(t, [{ event: "x" }, { event: "x" }, { event: "x" }]);
    for (let i = 0; i < 3; i++) await t.ctx.engine.tick();
    expect(firingEvents(t)).toHaveLength(3);
  });
});

describe("the candidate index", () => {
  test("900 unrelated automations are never looked at", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    t.ctx.engine.start();
    const core = (expect: string[]) => ({
      name: expect[0]!,
      description: "",
      enabled: true,
      tags: [],
      trigger: {
        type: "event" as const,
        id: crypto.randomUUID(),
        match: {},
        match_related: {},
        after: [],
        expect,
        for_each: [],
        posture: "Reactive" as const,
        threshold: 5,
        within: 60,
      },
      actions: [],
      actions_on_trigger: [],
      actions_on_resolve: [],
    });
    for (let i = 0; i < 900; i++) t.ctx.automations.create(core([`unrelated.${i}`, `other.${i}.*`]));
    t.ctx.automations.create(core(["traffic.*"]));
    await t.ctx.engine.tick();
    const before = t.ctx.engine.evaluations;
    await postEvents(
      t,
      Array.from({ length: 10 }, () => ({ event: "traffic.in" })),
    );
    expect(t.ctx.engine.evaluations - before).toBe(10);
  });
});

describe("loop guards", () => {
  test("an automation's own events never count for its own trigger", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    t.ctx.engine.start();
    const watcher = await createAutomation(t, {
      name: "watch firings",
      trigger: {
        type: "event",
        expect: ["prefect-cloud.automation.triggered"],
        match: { "prefect.resource.id": "prefect-cloud.automation.*" },
      },
    });
    const source = await createAutomation(t, reactive(["x"]));
    await postEvents(t, [{ event: "x" }]);
    await t.ctx.engine.tick();
    const fired = firingEvents(t).map((e) => e.resource["prefect.resource.id"]);
    expect(fired).toEqual([`prefect-cloud.automation.${source}`, `prefect-cloud.automation.${watcher}`]);
  });

  test("an automation that fires more than 60 times in a minute is paused, with a disabled event saying why", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    t.ctx.engine.start();
    const id = await createAutomation(t, reactive(["x"]));
    await postEvents(
      t,
      Array.from({ length: 70 }, () => ({ event: "x" })),
    );
    const fired = firingEvents(t);
    expect(fired.filter((e) => e.event === "prefect-cloud.automation.triggered")).toHaveLength(60);
    const disabled = fired.filter((e) => e.event === "prefect-cloud.automation.disabled");
    expect(disabled).toHaveLength(1);
    expect(disabled[0]!.resource["prefect.resource.id"]).toBe(`prefect-cloud.automation.${id}`);
    expect(String(disabled[0]!.payload.reason)).toContain("more than 60 times in 60 seconds");
    expect(t.ctx.automations.get(id)!.enabled).toBe(false);
    expect(t.ctx.automations.pausedReason(id)).toContain("more than 60 times");
    await postEvents(t, [{ event: "x" }]);
    expect(firingEvents(t).filter((e) => e.event === "prefect-cloud.automation.triggered")).toHaveLength(60);
  });
});

describe("changes take effect at once", () => {
  test("a changed trigger starts afresh, a paused automation is not evaluated, a deleted one is dropped", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    t.ctx.engine.start();
    const id = await createAutomation(t, reactive(["a"]));
    await postEvents(t, [{ event: "a" }]);
    expect(firingEvents(t)).toHaveLength(1);

    expect((await t.request("PUT", `/api/automations/${id}`, { body: { ...reactive(["b"]), actions: [] } })).status).toBe(204);
    await postEvents(t, [{ event: "a" }, { event: "b" }]);
    expect(firingEvents(t)).toHaveLength(2);

    expect((await t.request("PATCH", `/api/automations/${id}`, { body: { enabled: false } })).status).toBe(204);
    await postEvents(t, [{ event: "b" }]);
    expect(firingEvents(t)).toHaveLength(2);

    expect((await t.request("PATCH", `/api/automations/${id}`, { body: { enabled: true } })).status).toBe(204);
    await postEvents(t, [{ event: "b" }]);
    expect(firingEvents(t)).toHaveLength(3);

    expect((await t.request("DELETE", `/api/automations/${id}`)).status).toBe(204);
    await postEvents(t, [{ event: "b" }]);
    expect(firingEvents(t)).toHaveLength(3);
    expect(t.ctx.db.$client.query("SELECT count(*) AS n FROM automation_state WHERE automation_id = ?").get(id)).toEqual({ n: 0 });
  });
});

describe("Proactive triggers on the clock", () => {
  test("silence alerts once at the deadline; the expected event resolves it; status says waiting / down since", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    t.ctx.engine.start();
    const created = clock.now();
    const id = await createAutomation(t, {
      name: "backup watchdog",
      trigger: {
        type: "event",
        expect: ["backup.ok"],
        match: { "prefect.resource.id": "cron.backup" },
        posture: "Proactive",
        within: 3600,
      },
      actions_on_resolve: [{ type: "do-nothing" }],
    });
    expect(t.ctx.engine.statusOf(id)!.proactive).toEqual({ state: "waiting", since: new Date(created).toISOString() });
    clock.advance(3599_000);
    await t.ctx.engine.tick();
    expect(firingEvents(t)).toEqual([]);
    clock.advance(1000);
    await t.ctx.engine.tick();
    clock.advance(3 * 3600_000);
    await t.ctx.engine.tick();
    const [down] = firingEvents(t);
    expect(firingEvents(t)).toHaveLength(1);
    expect(down).toMatchObject({
      event: "prefect-cloud.automation.triggered",
      resource: { "prefect.posture": "Proactive" },
      related: [],
      payload: { triggering_labels: {}, triggering_event: null },
    });
    const downSince = new Date(created + 3600_000).toISOString();
    expect(t.ctx.engine.statusOf(id)!.proactive).toEqual({ state: "down", since: downSince });

    await postEvents(t, [{ event: "backup.ok", resource: "cron.backup" }]);
    const fired = firingEvents(t);
    expect(fired.map((e) => e.event)).toEqual(["prefect-cloud.automation.triggered", "prefect-cloud.automation.resolved"]);
    expect(fired[1]!.payload.triggering_event).toMatchObject({ event: "backup.ok" });
    const status = t.ctx.engine.statusOf(id)!;
    expect(status.proactive!.state).toBe("waiting");
    expect(status.last_resolved).toBe(new Date(clock.now()).toISOString());
    // actions_on_resolve ran for the resolution; the Triggered firing had no actions of its own but `actions`.
    expect(outboxRows(t)).toHaveLength(2);
  });

  test("a Proactive alert carries the last matching event as its triggering event", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    t.ctx.engine.start();
    await createAutomation(t, {
      name: "per host",
      trigger: { type: "event", expect: ["heartbeat"], for_each: ["prefect.resource.id"], posture: "Proactive", within: 60 },
    });
    await postEvents(t, [{ event: "heartbeat", resource: "host.a" }]);
    const beat = storedEvents(t).find((e) => e.event === "heartbeat")!;
    clock.advance(60_000);
    await t.ctx.engine.tick();
    clock.advance(60_000);
    await t.ctx.engine.tick();
    const [alert] = firingEvents(t);
    expect(firingEvents(t)).toHaveLength(1);
    expect(alert!.payload).toEqual({ triggering_labels: { "prefect.resource.id": "host.a" }, triggering_event: beat });
    expect(alert!.related).toEqual([{ "prefect.resource.id": `prefect.event.${beat.id}`, "prefect.resource.role": "triggering-event" }]);
  });

  test("a compound trigger fires once all its children fired within its window; its event has no posture", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    t.ctx.engine.start();
    const on = (name: string) => ({ type: "event", expect: [name], posture: "Reactive", threshold: 1, within: 0 });
    const id = await createAutomation(t, {
      name: "deploy then smoke test",
      trigger: { type: "compound", require: "all", within: 300, triggers: [on("deploy.done"), on("smoke.passed")] },
    });
    await postEvents(t, [{ event: "deploy.done" }]);
    clock.advance(400_000);
    await postEvents(t, [{ event: "smoke.passed" }]);
    expect(firingEvents(t)).toEqual([]);
    clock.advance(10_000);
    await postEvents(t, [{ event: "deploy.done" }]);
    const [fired] = firingEvents(t);
    expect(firingEvents(t)).toHaveLength(1);
    expect(fired!.resource).toEqual({
      "prefect.resource.id": `prefect-cloud.automation.${id}`,
      "prefect.resource.name": "deploy then smoke test",
    });
    expect(fired!.payload.triggering_event).toMatchObject({ event: "deploy.done" });
  });
});
