// parseAutomation, table by table: what it accepts and the defaults it fills in, what it refuses
// and with which code and field. The API tests show the same through the front door.
import { describe, expect, test } from "bun:test";
import { parseDuration } from "../../src/automations/duration.ts";
import type { AutomationCore, CompoundTrigger, EventTrigger } from "../../src/automations/model.ts";
import { parseAutomation, parseEnabledPatch } from "../../src/automations/validate.ts";
import { AppError } from "../../src/errors.ts";
import { TemplateCache } from "../../src/templates/render.ts";
import { automationBody, withTrigger, type Body } from "../support/automations.ts";

const templates = new TemplateCache(16);
let ids = 0;
const newId = () => `11111111-1111-4111-8111-${String(++ids).padStart(12, "0")}`;
const opts = { checkTemplate: (s: string) => templates.validate(s), newId };
const parse = (body: unknown, current?: AutomationCore) => parseAutomation(body, { ...opts, current });
const eventTrigger = (fields: Body) => parse(withTrigger(fields)).trigger as EventTrigger;

/** The refusal's code, field and message. */
function refusal(body: unknown): { code: string; field: unknown; message: string } {
  try {
    parse(body);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, field: err.details?.field, message: err.message };
  }
  throw new Error("accepted");
}

const ID = "33333333-3333-4333-8333-333333333333";

const nested = (depth: number): Body =>
  depth === 1 ? (automationBody().trigger as Body) : { type: "sequence", within: null, triggers: [nested(depth - 1)] };

describe("durations", () => {
  test.each([
    [0, 0],
    [12.5, 12.5],
    ["600", 600],
    ["PT10M", 600],
    ["pt1h30m", 5400],
    ["PT0.5S", 0.5],
    ["P1D", 86_400],
    ["P2W", 1_209_600],
    ["P1DT2H3M4S", 93_784],
    ["00:10:00", 600],
    ["1:00:00", 3600],
    ["00:00:10.25", 10.25],
    ["1 day, 0:10:00", 87_000],
    ["2 days, 01:00:00", 176_400],
  ])("%p is %p seconds", (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  test.each([
    [-1],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    ["P"],
    ["PT"],
    ["P1Y"],
    ["P1M"],
    ["10 minutes"],
    ["00:60:00"],
    ["-PT1M"],
    [null],
    [true],
    [[]],
  ])("%p is not a duration", (input) => {
    expect(parseDuration(input)).toBeNull();
  });
});

describe("event triggers: accepted, with Prefect's defaults", () => {
  test.each<[string, Body, Partial<EventTrigger>]>([
    [
      "only expect",
      { type: undefined, match: undefined, posture: undefined, threshold: undefined, within: undefined },
      {
        type: "event",
        id: expect.stringMatching(/^11111111-1111-4111-8111-\d{12}$/),
        match: {},
        match_related: {},
        after: [],
        for_each: [],
        posture: "Reactive",
        threshold: 1,
        within: 0,
      },
    ],
    [
      "nulls are defaults",
      { match_related: null, after: null, for_each: null, threshold: null, within: null },
      { match_related: {}, after: [], for_each: [], threshold: 1, within: 0 },
    ],
    [
      "a given trigger id is kept (lower case)",
      { id: "E3A1B5C7-9D2F-4E6A-8B0C-1D3F5A7B9C2E" },
      { id: "e3a1b5c7-9d2f-4e6a-8b0c-1d3f5a7b9c2e" },
    ],
    [
      "match with a list of values and a negation",
      { match: { "prefect.resource.id": ["a.*", "b.*"], env: "!dev" } },
      { match: { "prefect.resource.id": ["a.*", "b.*"], env: "!dev" } },
    ],
    [
      "match_related, one spec",
      { match_related: { "prefect.resource.role": "webhook" } },
      { match_related: { "prefect.resource.role": "webhook" } },
    ],
    [
      "match_related, a list of specs",
      { match_related: [{ "prefect.resource.role": "tag" }, { "prefect.resource.role": "flow" }] },
      {
        match_related: [{ "prefect.resource.role": "tag" }, { "prefect.resource.role": "flow" }],
      },
    ],
    [
      "sets drop duplicates",
      { expect: ["a", "b", "a"], after: ["x", "x"], for_each: ["prefect.resource.id", "prefect.resource.id"] },
      {
        expect: ["a", "b"],
        after: ["x"],
        for_each: ["prefect.resource.id"],
      },
    ],
    ["Proactive, within absent → 10 s", { posture: "Proactive", within: undefined }, { posture: "Proactive", within: 10 }],
    ["Proactive, within 0 → 10 s", { posture: "Proactive", within: 0 }, { within: 10 }],
    ["Proactive, within exactly 10 s", { posture: "Proactive", within: "PT10S" }, { within: 10 }],
    ["Reactive, within under 10 s", { posture: "Reactive", within: 5 }, { within: 5 }],
    ["threshold", { threshold: 5, within: "PT10M" }, { threshold: 5, within: 600 }],
    ["expect empty but match narrows", { expect: [], match: { "prefect.resource.id": "cron.backup" } }, { expect: [] }],
    ["match empty but expect narrows", { match: {}, expect: ["cron.ok"] }, { match: {} }],
    ["unknown fields are ignored", { metric: null, something: 1 }, { expect: ["github.push"] }],
  ])("%s", (_name, fields, want) => {
    const trigger = eventTrigger(fields);
    expect(trigger).toMatchObject(want);
    expect(Object.keys(trigger).sort()).toEqual([
      "after",
      "expect",
      "for_each",
      "id",
      "match",
      "match_related",
      "posture",
      "threshold",
      "type",
      "within",
    ]);
  });
});

test('a label named "__proto__" stays a label, and the stored JSON keeps it', () => {
  const trigger = eventTrigger(JSON.parse('{"match": {"__proto__": ["x"], "prefect.resource.id": "a"}}'));
  expect(Object.keys(trigger.match)).toEqual(["__proto__", "prefect.resource.id"]);
  expect(Object.getPrototypeOf(trigger.match)).toBe(Object.prototype);
  expect(JSON.stringify(trigger.match)).toBe('{"__proto__":["x"],"prefect.resource.id":"a"}');
});

describe("composite triggers", () => {
  test("compound: require any, all or n; within null means no limit; children parsed with ids", () => {
    const child = automationBody().trigger as Body;
    for (const require of ["any", "all", 2] as const) {
      const trigger = parse(automationBody({ trigger: { type: "compound", require, within: null, triggers: [child, child] } }))
        .trigger as CompoundTrigger;
      expect(trigger).toMatchObject({ type: "compound", require, within: null });
      expect(trigger.triggers.map((t) => t.type)).toEqual(["event", "event"]);
    }
  });

  test("sequence with a duration window, nested five deep", () => {
    const trigger = parse(automationBody({ trigger: { ...nested(5), within: "PT1H" } })).trigger;
    expect(trigger).toMatchObject({ type: "sequence", within: 3600 });
  });
});

describe("refusals name the field", () => {
  const child = automationBody().trigger as Body;
  test.each<[string, unknown, string, string]>([
    ["a body that is not an object", [], "validation", "body"],
    ["no name", automationBody({ name: undefined }), "validation", "name"],
    ["a name of 201 characters", automationBody({ name: "n".repeat(201) }), "validation", "name"],
    ["a description of 4,001 characters", automationBody({ description: "d".repeat(4001) }), "validation", "description"],
    ["51 tags", automationBody({ tags: Array.from({ length: 51 }, (_, i) => `${i}`) }), "validation", "tags"],
    ["a tag that is not a string", automationBody({ tags: [1] }), "validation", "tags[0]"],
    ["enabled as a string", automationBody({ enabled: "yes" }), "validation", "enabled"],
    ["no trigger", automationBody({ trigger: undefined }), "validation", "trigger"],
    ["no actions", automationBody({ actions: undefined }), "validation", "actions"],
    ["21 actions", automationBody({ actions: Array.from({ length: 21 }, () => ({ type: "do-nothing" })) }), "validation", "actions"],
    ["a metric trigger", automationBody({ trigger: { type: "metric", metric: {} } }), "validation", "trigger.type"],
    ["a Metric posture", withTrigger({ posture: "Metric" }), "validation", "trigger.posture"],
    ["threshold 0", withTrigger({ threshold: 0 }), "validation", "trigger.threshold"],
    ["threshold 1.5", withTrigger({ threshold: 1.5 }), "validation", "trigger.threshold"],
    ["a negative within", withTrigger({ within: -1 }), "validation", "trigger.within"],
    ["within in years", withTrigger({ within: "P1Y" }), "validation", "trigger.within"],
    ["within over a year", withTrigger({ within: 367 * 86_400 }), "validation", "trigger.within"],
    ["Proactive within 9 s", withTrigger({ posture: "Proactive", within: 9 }), "validation", "trigger.within"],
    ["Proactive within 00:00:05", withTrigger({ posture: "Proactive", within: "00:00:05" }), "validation", "trigger.within"],
    ["a trigger id that is not a UUID", withTrigger({ id: "mine" }), "validation", "trigger.id"],
    [
      "a match label that is a number",
      withTrigger({ match: { "prefect.resource.id": 5 } }),
      "validation",
      'trigger.match["prefect.resource.id"]',
    ],
    [
      "51 match labels",
      withTrigger({ match: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`l${i}`, "v"])) }),
      "validation",
      "trigger.match",
    ],
    ["an expect that is a string", withTrigger({ expect: "github.push" }), "validation", "trigger.expect"],
    ["an empty expect pattern", withTrigger({ expect: [""] }), "validation", "trigger.expect[0]"],
    ["expect and match empty", withTrigger({ expect: [], match: {} }), "trigger_too_broad", "trigger"],
    ["expect * and no match", withTrigger({ expect: ["*"], match: {} }), "trigger_too_broad", "trigger"],
    [
      "a too broad child",
      automationBody({ trigger: { type: "compound", require: "any", within: 60, triggers: [child, { expect: [], match: {} }] } }),
      "trigger_too_broad",
      "trigger.triggers[1]",
    ],
    [
      "compound without within",
      automationBody({ trigger: { type: "compound", require: "any", triggers: [child] } }),
      "validation",
      "trigger.within",
    ],
    [
      "compound without triggers",
      automationBody({ trigger: { type: "compound", require: "any", within: 60 } }),
      "validation",
      "trigger.triggers",
    ],
    [
      "compound with no triggers",
      automationBody({ trigger: { type: "compound", require: "any", within: 60, triggers: [] } }),
      "validation",
      "trigger.triggers",
    ],
    [
      "compound require 3 of 2",
      automationBody({ trigger: { type: "compound", require: 3, within: 60, triggers: [child, child] } }),
      "validation",
      "trigger.require",
    ],
    [
      "compound require 0",
      automationBody({ trigger: { type: "compound", require: 0, within: 60, triggers: [child] } }),
      "validation",
      "trigger.require",
    ],
    [
      "compound require some",
      automationBody({ trigger: { type: "compound", require: "some", within: 60, triggers: [child] } }),
      "validation",
      "trigger.require",
    ],
    [
      "21 child triggers",
      automationBody({ trigger: { type: "sequence", within: 60, triggers: Array.from({ length: 21 }, () => child) } }),
      "validation",
      "trigger.triggers",
    ],
    [
      "nesting six deep",
      automationBody({ trigger: nested(6) }),
      "validation",
      "trigger.triggers[0].triggers[0].triggers[0].triggers[0].triggers[0]",
    ],
    [
      "two triggers with one id",
      automationBody({
        trigger: { type: "compound", require: "all", within: 60, triggers: [child, { ...child, id: ID }, { ...child, id: ID }] },
      }),
      "validation",
      "trigger.triggers[2].id",
    ],
    ["an owner_resource that is not a string", automationBody({ owner_resource: 5 }), "validation", "owner_resource"],
    ["an action without a type", automationBody({ actions: [{}] }), "validation", "actions[0].type"],
    [
      "run-deployment",
      automationBody({ actions: [{ type: "run-deployment", source: "selected" }] }),
      "unsupported_action",
      "actions[0].type",
    ],
    [
      "send-email-notification",
      automationBody({ actions_on_resolve: [{ type: "send-email-notification" }] }),
      "unsupported_action",
      "actions_on_resolve[0].type",
    ],
    [
      "a notification without a destination",
      automationBody({ actions: [{ type: "send-notification", body: "b" }] }),
      "validation",
      "actions[0].block_document_id",
    ],
    [
      "a notification without a body",
      automationBody({ actions: [{ type: "send-notification", block_document_id: "d" }] }),
      "validation",
      "actions[0].body",
    ],
    [
      "two destinations that differ",
      automationBody({ actions: [{ type: "call-webhook", block_document_id: "a", destination_id: "b" }] }),
      "validation",
      "actions[0].destination_id",
    ],
    [
      "a payload that does not compile",
      automationBody({ actions: [{ type: "call-webhook", destination_id: "d", payload: "{{ x" }] }),
      "template_invalid",
      "actions[0].payload",
    ],
    [
      "a subject that does not compile",
      automationBody({ actions: [{ type: "send-notification", destination_id: "d", subject: "{% for %}", body: "" }] }),
      "template_invalid",
      "actions[0].subject",
    ],
    ["pause, selected, no id", automationBody({ actions: [{ type: "pause-automation" }] }), "validation", "actions[0].automation_id"],
    [
      "pause, selected, a bad id",
      automationBody({ actions: [{ type: "pause-automation", source: "selected", automation_id: "x" }] }),
      "validation",
      "actions[0].automation_id",
    ],
    [
      "resume, inferred, with an id",
      automationBody({
        actions: [{ type: "resume-automation", source: "inferred", automation_id: "11111111-1111-4111-8111-111111111111" }],
      }),
      "validation",
      "actions[0].automation_id",
    ],
    ["an unknown source", automationBody({ actions: [{ type: "resume-automation", source: "guess" }] }), "validation", "actions[0].source"],
  ])("%s", (_name, body, code, field) => {
    const r = refusal(body);
    expect(r.code).toBe(code);
    expect(r.field).toBe(field);
    expect(r.message).toStartWith(`${field}: `);
  });
});

describe("actions: accepted, with Prefect's defaults, extra fields dropped", () => {
  test.each<[string, Body, Body]>([
    ["do-nothing", { type: "do-nothing", extra: 1 }, { type: "do-nothing" }],
    [
      "send-notification with Prefect's default subject",
      { type: "send-notification", block_document_id: "b1", body: "{{ event.event }}" },
      {
        type: "send-notification",
        block_document_id: "b1",
        subject: "Prefect automated notification",
        body: "{{ event.event }}",
      },
    ],
    [
      "send-notification by destination_id",
      { type: "send-notification", destination_id: "d1", subject: "s", body: "b" },
      {
        type: "send-notification",
        destination_id: "d1",
        subject: "s",
        body: "b",
      },
    ],
    [
      "call-webhook with an empty default payload",
      { type: "call-webhook", block_document_id: "b1" },
      { type: "call-webhook", block_document_id: "b1", payload: "" },
    ],
    [
      "both destination fields, equal",
      { type: "call-webhook", block_document_id: "b1", destination_id: "b1", payload: "x" },
      {
        type: "call-webhook",
        block_document_id: "b1",
        payload: "x",
      },
    ],
    [
      "pause-automation, selected by default",
      { type: "pause-automation", automation_id: "22222222-2222-4222-8222-222222222222" },
      {
        type: "pause-automation",
        source: "selected",
        automation_id: "22222222-2222-4222-8222-222222222222",
      },
    ],
    [
      "resume-automation, inferred",
      { type: "resume-automation", source: "inferred", automation_id: null },
      { type: "resume-automation", source: "inferred", automation_id: null },
    ],
  ])("%s", (_name, action, want) => {
    expect(parse(automationBody({ actions: [action] })).actions).toEqual([want as never]);
  });
});

describe("PUT keeps omitted optional fields", () => {
  test("description, enabled, tags and the on-trigger and on-resolve actions come from the stored automation when omitted", () => {
    const current = parse(
      automationBody({
        description: "d",
        enabled: false,
        tags: ["t"],
        actions_on_trigger: [{ type: "do-nothing" }],
        actions_on_resolve: [{ type: "do-nothing" }],
      }),
    );
    const body = automationBody({ name: "new", actions: [] });
    for (const key of ["description", "enabled", "tags"]) delete body[key];
    const next = parse(body, current);
    expect(next).toMatchObject({ name: "new", description: "d", enabled: false, tags: ["t"], actions: [] });
    expect(next.actions_on_trigger).toEqual([{ type: "do-nothing" }]);
    expect(next.actions_on_resolve).toEqual([{ type: "do-nothing" }]);
    // Given ones replace them, an empty list included.
    expect(parse({ ...body, actions_on_resolve: [] }, current).actions_on_resolve).toEqual([]);
  });
});

describe("PATCH", () => {
  test.each([
    [{ enabled: true }, true],
    [{ enabled: false }, false],
  ])("%p → %p", (body, want) => {
    expect(parseEnabledPatch(body)).toBe(want);
  });

  test.each([[{}], [{ enabled: null }], [{ enabled: 1 }], [null]])("%p is refused", (body) => {
    expect(() => parseEnabledPatch(body)).toThrow(AppError);
  });
});
