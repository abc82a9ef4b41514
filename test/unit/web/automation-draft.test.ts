// The automation editor's draft: the form edits single paths of the JSON and keeps the rest, and a
// server 422 finds the form control it names.
import { describe, expect, test } from "bun:test";
import {
  controlFor,
  fieldOfError,
  formControls,
  labelValue,
  newDraft,
  parseDraft,
  parseList,
  setIn,
  showDraft,
} from "../../../web/src/lib/automation-draft.ts";

describe("setIn", () => {
  test("sets one path and keeps every other field, without touching the original", () => {
    const before = { name: "x", trigger: { type: "compound", within: 60, triggers: [{ id: "a" }] }, tags: ["t"] };
    const after = setIn(before, ["trigger", "within"], 120);
    expect(after).toEqual({ name: "x", trigger: { type: "compound", within: 120, triggers: [{ id: "a" }] }, tags: ["t"] });
    expect(before.trigger.within).toBe(60);
    expect(after.trigger.triggers).toBe(before.trigger.triggers);
  });

  test("undefined removes a key; missing containers are created (arrays for an index)", () => {
    const draft: Record<string, unknown> = { match: { "prefect.resource.id": "a", x: "b" } };
    expect(setIn(draft, ["match", "prefect.resource.id"], undefined)).toEqual({ match: { x: "b" } });
    expect(setIn<Record<string, unknown>>({}, ["actions", 0, "type"], "do-nothing")).toEqual({ actions: [{ type: "do-nothing" }] });
  });
});

describe("lists and labels as the form types them", () => {
  test.each([
    ["a, b", ["a", "b"]],
    ["a\nb,, ", ["a", "b"]],
    ["", []],
  ])("parseList(%j)", (text, list) => expect(parseList(text)).toEqual(list));

  test.each([
    ["", undefined],
    ["stripe.*", "stripe.*"],
    ["a, b", ["a", "b"]],
  ])("labelValue(%j): absent, one value, or a list", (text, value) => expect(labelValue(text)).toEqual(value));
});

describe("the JSON view", () => {
  test("shows and parses the same object, integers past 2^53 digit for digit", () => {
    const d = { ...newDraft({ event: "backup.done" }), description: "9007199254740993" };
    const parsed = parseDraft(showDraft(d));
    expect(parsed).toEqual({ ok: true, draft: d });
    const big = parseDraft('{"name": "n", "threshold": 9007199254740993}');
    expect(big.ok && JSON.stringify(big.draft)).toBe('{"name":"n","threshold":9007199254740993}');
  });

  test.each([
    ['{"name": ', /^The JSON is not valid: /],
    ["[1, 2]", /^The JSON must be one object/],
    ["null", /^The JSON must be one object/],
  ])("%j is refused with a clear message", (text, message) => {
    const parsed = parseDraft(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });
});

describe("a server 422 beside the field it names", () => {
  test.each([
    ["trigger.within: must be at least 10 seconds for a Proactive trigger", "trigger.within"],
    ["actions[1].payload: line 2: unexpected end", "actions.1.payload"],
    ["name: is required", "name"],
    ["The request is invalid", null],
  ])("%j names %j", (message, field) => expect(fieldOfError(message)).toBe(field));

  test("the error's own field wins over the message", () => {
    expect(fieldOfError("a Proactive trigger's window must be at least 10 seconds", "trigger.triggers[1].within")).toBe(
      "trigger.triggers.1.within",
    );
  });

  test("the deepest control the path falls under; none for a path the form does not show", () => {
    const d = setIn(newDraft({ event: "a" }), ["actions"], [{ type: "call-webhook", payload: "{{" }]);
    const controls = formControls(d);
    expect(controlFor("trigger.within", controls)).toBe("trigger.within");
    expect(controlFor("trigger.match.prefect.resource.id", controls)).toBe("trigger.match");
    expect(controlFor("actions.0.payload", controls)).toBe("actions.0.payload");
    expect(controlFor("actions.0.headers", controls)).toBe("actions.0");
    expect(controlFor("tags.0", controls)).toBeNull();
    expect(controlFor(null, controls)).toBeNull();
  });

  test("a compound trigger has no form controls of its own: its errors go to the trigger", () => {
    const d = setIn(newDraft(), ["trigger"], { type: "compound", require: "all", triggers: [] });
    expect(controlFor("trigger.require", formControls(d))).toBe("trigger");
  });
});

describe("pre-filled drafts", () => {
  test("from an event: its name expected, its resource matched", () => {
    const d = newDraft({ event: "stripe.charge.failed", resource: "stripe.customer.cus_1" });
    expect(d.name).toBe("When stripe.charge.failed arrives");
    expect(d.trigger).toMatchObject({
      expect: ["stripe.charge.failed"],
      match: { "prefect.resource.id": "stripe.customer.cus_1" },
      posture: "Reactive",
    });
  });

  test("from a webhook: its events, by the related resource every one of them carries", () => {
    const d = newDraft({ webhook: { id: "w1", name: "github" }, event: "github.push" });
    expect(d.trigger).toMatchObject({
      expect: ["github.push"],
      match: {},
      match_related: { "prefect.resource.id": "prefect-cloud.webhook.w1", "prefect.resource.role": "webhook" },
    });
  });
});
