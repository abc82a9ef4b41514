// Event triggers evaluated as Prefect evaluates them, row by row of its behaviour (configurations
// its tests and docs cover), on explicit times: events at given seconds, the deadline timer ticked.
import { describe, expect, test } from "bun:test";
import { eventTrigger, ticks, timeline, type Step } from "../../support/automation-engine.ts";

const ev = (name: string, at: number, extra: Partial<Extract<Step, { event: string }>> = {}): Step => ({ event: name, at, ...extra });

describe("Reactive triggers", () => {
  test("within 0: every matching event fires", () => {
    const t = eventTrigger({ expect: ["x"] });
    expect(timeline(t, [ev("x", 0), ev("x", 1), ev("y", 2), ev("x", 2)])).toEqual(["Triggered@0", "Triggered@1", "Triggered@2"]);
  });

  test("threshold 1, within 60: fires on the first event, then ignores events for 60 s (eager debounce)", () => {
    const t = eventTrigger({ expect: ["x"], within: 60 });
    const steps = [0, 10, 59, 61, 119, 125].map((s) => ev("x", s));
    expect(timeline(t, steps)).toEqual(["Triggered@0", "Triggered@61", "Triggered@125"]);
  });

  test("threshold 3, within 10: tumbling windows opened by an event; fires on the 3rd inside one", () => {
    const t = eventTrigger({ expect: ["x"], threshold: 3, within: 10 });
    const steps = [0, 2, 4, 5, 11, 12, 13, 100, 101, 112, 113, 114].map((s) => ev("x", s));
    expect(timeline(t, steps)).toEqual(["Triggered@4", "Triggered@13", "Triggered@114"]);
  });

  test("threshold 3, within 0: every third event fires", () => {
    const t = eventTrigger({ expect: ["x"], threshold: 3 });
    expect(
      timeline(
        t,
        [0, 1, 2, 3, 4, 5].map((s) => ev("x", s)),
      ),
    ).toEqual(["Triggered@2", "Triggered@5"]);
  });

  test("after A, expect B, within 0: B fires only within 60 s of A (the bucket sweep)", () => {
    const t = eventTrigger({ after: ["a"], expect: ["b"] });
    const steps = [ev("b", 0), ev("a", 10), ev("b", 40), ev("b", 45), ev("a", 100), ev("b", 161), ev("a", 200), ev("b", 259)];
    expect(timeline(t, steps)).toEqual(["Triggered@40", "Triggered@259"]);
  });

  test("after A, expect B, within 30, threshold 2: two Bs inside the window A opened fire once", () => {
    const t = eventTrigger({ after: ["a"], expect: ["b"], threshold: 2, within: 30 });
    const steps = [ev("a", 0), ev("b", 10), ev("b", 20), ev("b", 25), ev("a", 100), ev("b", 110), ev("b", 140)];
    expect(timeline(t, steps)).toEqual(["Triggered@20"]);
  });

  test("event names glob as Prefect's (fnmatchcase, whole name); a negated expect is never looked up", () => {
    const t = eventTrigger({ expect: ["prefect.flow-run.*", "!stripe.*"] });
    const steps = [ev("prefect.flow-run.Failed", 0), ev("prefect.flow-run", 1), ev("stripe.charge", 2), ev("xprefect.flow-run.Failed", 3)];
    expect(timeline(t, steps)).toEqual(["Triggered@0"]);
  });

  test("match: every listed label matches; a list is ORed; globs and ! as in filters; an absent label never matches", () => {
    const t = eventTrigger({ expect: ["x"], match: { "prefect.resource.id": ["repo.a", "repo.b*"], env: "!dev" } });
    const steps = [
      ev("x", 0, { resource: "repo.a", labels: { env: "prod" } }),
      ev("x", 1, { resource: "repo.bee", labels: { env: "dev" } }),
      ev("x", 2, { resource: "repo.bee" }),
      ev("x", 3, { resource: "repo.c", labels: { env: "prod" } }),
      ev("x", 4, { resource: "repo.b", labels: { env: "staging" } }),
    ];
    expect(timeline(t, steps)).toEqual(["Triggered@0", "Triggered@4"]);
  });

  test("match_related: one related resource must match all of a spec (docs: some tag other than dev)", () => {
    const t = eventTrigger({ expect: ["x"], match_related: { "prefect.resource.role": "tag", "prefect.resource.id": "!prefect.tag.dev" } });
    const tag = (id: string) => ({ "prefect.resource.id": id, "prefect.resource.role": "tag" });
    const steps = [
      ev("x", 0, { related: [tag("prefect.tag.dev")] }),
      ev("x", 1, { related: [tag("prefect.tag.dev"), tag("prefect.tag.nightly")] }),
      ev("x", 2, { related: [{ "prefect.resource.id": "prefect.tag.nightly", "prefect.resource.role": "flow" }] }),
      ev("x", 3),
    ];
    expect(timeline(t, steps)).toEqual(["Triggered@1"]);
  });

  test("match_related as a list: each spec is satisfied by some related resource", () => {
    const t = eventTrigger({
      expect: ["x"],
      match_related: [{ "prefect.resource.role": "flow" }, { "prefect.resource.role": "deployment", "prefect.resource.id": "dep.*" }],
    });
    const flow = { "prefect.resource.id": "flow.1", "prefect.resource.role": "flow" };
    const dep = { "prefect.resource.id": "dep.1", "prefect.resource.role": "deployment" };
    expect(timeline(t, [ev("x", 0, { related: [flow] }), ev("x", 1, { related: [flow, dep] })])).toEqual(["Triggered@1"]);
  });

  test("for_each: each key counts on its own, keyed by labels sorted by name; related:<role>:<label> reads a related resource", () => {
    const t = eventTrigger({
      expect: ["x"],
      threshold: 2,
      within: 60,
      for_each: ["related:flow:prefect.resource.id", "prefect.resource.id"],
    });
    const flow = (id: string) => [{ "prefect.resource.id": id, "prefect.resource.role": "flow" }];
    const steps = [
      ev("x", 0, { resource: "a", related: flow("f1") }),
      ev("x", 1, { resource: "b", related: flow("f1") }),
      ev("x", 2, { resource: "a", related: flow("f2") }),
      ev("x", 3, { resource: "a", related: flow("f1") }),
    ];
    expect(timeline(t, steps)).toEqual(["Triggered@3 a,f1"]);
  });

  test("a late event (before the bucket's start) is ignored", () => {
    const t = eventTrigger({ expect: ["x"], within: 60 });
    expect(timeline(t, [ev("x", 1000), ev("x", 1001, { received: 1001 }), ev("x", 500, { received: 1002 })])).toEqual(["Triggered@1000"]);
  });
});

describe("Proactive triggers", () => {
  test("after = expect = X, for_each: fires once at the last X + within; the next X re-arms (the zombie-run recipe)", () => {
    const t = eventTrigger({ posture: "Proactive", after: ["x"], expect: ["x"], for_each: ["prefect.resource.id"], within: 60 });
    const steps: Step[] = [
      ev("x", 0, { resource: "r1" }),
      ev("x", 30, { resource: "r1" }),
      ev("x", 10, { resource: "r2", received: 10 }),
      ...ticks(0, 100, 5),
    ];
    expect(timeline(t, steps)).toEqual(["Triggered@70 r2", "Triggered@90 r1"]);
  });

  test("Prefect's documented example: a flow run stuck in Pending for 5 minutes alerts, per run", () => {
    const t = eventTrigger({
      posture: "Proactive",
      match: { "prefect.resource.id": "prefect.flow-run.*" },
      after: ["prefect.flow-run.Pending"],
      expect: ["prefect.flow-run.Running", "prefect.flow-run.Crashed"],
      for_each: ["prefect.resource.id"],
      within: 300,
    });
    const steps: Step[] = [
      ev("prefect.flow-run.Pending", 0, { resource: "prefect.flow-run.1" }),
      ev("prefect.flow-run.Pending", 0, { resource: "prefect.flow-run.2" }),
      ev("prefect.flow-run.Running", 100, { resource: "prefect.flow-run.1" }),
      ...ticks(0, 600, 5),
    ];
    expect(timeline(t, steps)).toEqual(["Triggered@300 prefect.flow-run.2"]);
  });

  test("threshold 3 within 60 without after: a window with fewer than 3 events alerts at its end", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["x"], threshold: 3, within: 60 });
    const steps: Step[] = [ev("x", 10), ev("x", 20), ev("x", 30), { tick: 60 }, ev("x", 70), ev("x", 80), { tick: 119 }, { tick: 120 }];
    expect(timeline(t, steps)).toEqual(["Triggered@120"]);
  });

  test("a healthy check never alerts", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["ping"], within: 60 });
    const steps: Step[] = [];
    for (let s = 0; s < 1000; s += 50) steps.push(ev("ping", s), { tick: s + 25 });
    expect(timeline(t, steps)).toEqual([]);
  });
});

describe("Where Inlet differs from Prefect", () => {
  test("a Proactive trigger alerts once per silence, not every window", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["ping"], within: 60 });
    expect(timeline(t, ticks(0, 600, 5))).toEqual(["Triggered@60"]);
  });

  test("a Proactive trigger resolves when the expected event arrives again (one down, one up)", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["ping"], within: 60 });
    const steps: Step[] = [...ticks(0, 200, 5), ev("ping", 200), ...ticks(205, 255, 5), ...ticks(260, 400, 5)];
    expect(timeline(t, steps)).toEqual(["Triggered@60", "Resolved@200", "Triggered@320"]);
  });

  test("Proactive for_each keys each alert on their own, also after a healthy window", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["ping"], for_each: ["prefect.resource.id"], within: 60 });
    const steps: Step[] = [ev("ping", 0, { resource: "a" }), ev("ping", 0, { resource: "b" })];
    for (let s = 30; s <= 300; s += 30) steps.push(ev("ping", s, { resource: "a" }), { tick: s });
    steps.push(ev("ping", 310, { resource: "b" }));
    expect(timeline(t, steps)).toEqual(["Triggered@120 b", "Resolved@310 b"]);
  });

  test("a Proactive trigger with after, without for_each, alerts once per silence, armed or not", () => {
    const t = eventTrigger({ posture: "Proactive", after: ["start"], expect: ["done"], within: 60 });
    const steps: Step[] = [ev("start", 0), ...ticks(0, 300, 5), ev("done", 300), ev("start", 400), ev("done", 420), ...ticks(400, 600, 5)];
    expect(timeline(t, steps)).toEqual(["Triggered@60", "Resolved@300"]);
  });

  test("an event that shows a window was silent also resolves it, at once", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["ping"], within: 60 });
    expect(timeline(t, [ev("ping", 90)])).toEqual(["Triggered@90", "Resolved@90"]);
  });
});

describe("the clock: windows on occurred, within bounds", () => {
  test("an occurred in the future counts as its receipt time", () => {
    const t = eventTrigger({ expect: ["x"], threshold: 2, within: 60 });
    // Counted at 100 (received), not at 10,000: the second event at 130 is inside the same window.
    expect(timeline(t, [ev("x", 10_000, { received: 100 }), ev("x", 130)])).toEqual(["Triggered@130"]);
  });

  test("a Proactive trigger is not silenced by an event dated in the future", () => {
    const t = eventTrigger({ posture: "Proactive", expect: ["ping"], within: 60 });
    expect(timeline(t, [ev("ping", 86_400, { received: 30 }), ...ticks(0, 130, 10)])).toEqual(["Triggered@120"]);
  });

  test("an occurred older than 15 minutes before receipt counts as receipt − 15 minutes", () => {
    const t = eventTrigger({ expect: ["x"], threshold: 2, within: 60 });
    // Received at 2,000 s claiming second 0: counted at 1,100 s, so a second event at 1,130 s completes the window.
    expect(timeline(t, [ev("x", 0, { received: 2000 }), ev("x", 1130, { received: 2001 })])).toEqual(["Triggered@1130"]);
  });
});
