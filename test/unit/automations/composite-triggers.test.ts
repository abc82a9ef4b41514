// Compound and sequence triggers: the latest firing of each child, dropped once older than
// `within`; a compound fires on enough children (any: at once), a sequence when the children fired
// in their declared order. Firing clears them.
import { describe, expect, test } from "bun:test";
import { compound, eventTrigger, sequence, ticks, timeline, type Step } from "../../support/automation-engine.ts";

const ev = (name: string, at: number): Step => ({ event: name, at });
const on = (name: string) => eventTrigger({ expect: [name] });

describe("compound", () => {
  test("require any: fires on the first child's firing", () => {
    expect(timeline(compound("any", null, [on("a"), on("b")]), [ev("b", 5), ev("a", 6)])).toEqual(["Triggered@5", "Triggered@6"]);
  });

  test("require all, within 60: every child inside 60 s of the last; older firings drop out", () => {
    const t = compound("all", 60, [on("a"), on("b")]);
    const steps = [ev("a", 0), ev("b", 30), ev("a", 100), ev("b", 200), ev("a", 230)];
    expect(timeline(t, steps)).toEqual(["Triggered@30", "Triggered@230"]);
  });

  test("require 2 of 3, no time limit: the same child twice is one child", () => {
    const t = compound(2, null, [on("a"), on("b"), on("c")]);
    expect(timeline(t, [ev("a", 0), ev("a", 10), ev("c", 5000), ev("b", 6000)])).toEqual(["Triggered@5000"]);
  });

  test("a Proactive child counts when it alerts", () => {
    const silent = eventTrigger({ posture: "Proactive", expect: ["ping"], within: 60 });
    const t = compound("all", 120, [silent, on("deploy")]);
    expect(timeline(t, [ev("deploy", 50), ...ticks(0, 100, 10)])).toEqual(["Triggered@60"]);
  });
});

describe("sequence", () => {
  test("fires when the children's latest firings are in declared order", () => {
    const t = sequence(null, [on("a"), on("b")]);
    expect(timeline(t, [ev("b", 0), ev("a", 10), ev("b", 20)])).toEqual(["Triggered@20"]);
  });

  test("within: a first step older than the window no longer counts", () => {
    const t = sequence(60, [on("a"), on("b"), on("c")]);
    expect(timeline(t, [ev("a", 0), ev("b", 10), ev("c", 100), ev("a", 110), ev("b", 120), ev("c", 130)])).toEqual(["Triggered@130"]);
  });

  test("nested: a sequence of a compound and an event trigger", () => {
    const t = sequence(null, [compound("any", null, [on("a"), on("b")]), on("c")]);
    expect(timeline(t, [ev("c", 0), ev("b", 5), ev("c", 6)])).toEqual(["Triggered@6"]);
  });
});
