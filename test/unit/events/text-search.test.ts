import { describe, expect, test } from "bun:test";
import { toEvent } from "../../../src/events/model.ts";
import { matchesText, parseTextQuery, searchableText } from "../../../src/events/filter/text-search.ts";

describe("parseTextQuery (Prefect's text_search_parser)", () => {
  test.each([
    ["error", { include: ["error"], exclude: [], required: [] }],
    ["error warning", { include: ["error", "warning"], exclude: [], required: [] }],
    ["error -debug !trace", { include: ["error"], exclude: ["debug", "trace"], required: [] }],
    ["+prod +eu error", { include: ["error"], exclude: [], required: ["prod", "eu"] }],
    ['"connection timeout" x', { include: ["connection timeout", "x"], exclude: [], required: [] }],
    ['-"not this" +"must \\"be\\""', { include: [], exclude: ["not this"], required: ['must "be"'] }],
    ['"unclosed phrase', { include: ["unclosed phrase"], exclude: [], required: [] }],
    ["- error", { include: ["error"], exclude: [], required: [] }],
    ["a -", { include: ["a"], exclude: [], required: [] }],
    ['ab"cd"', { include: ["ab", "cd"], exclude: [], required: [] }],
    ["--x", { include: [], exclude: ["-x"], required: [] }],
    ['"  "', { include: [], exclude: [], required: [] }],
    ['"a\\\\b"', { include: ["a\\b"], exclude: [], required: [] }],
    ["   ", { include: [], exclude: [], required: [] }],
    // A repeated term is planned once (matching ignores case); the same word may still be required and excluded.
    ["1. 1. Error error +x +X -y -Y x", { include: ["1.", "Error", "x"], exclude: ["y"], required: ["x"] }],
  ])("%j", (query, expected) => {
    expect(parseTextQuery(query)).toEqual(expected);
  });
});

describe("matching", () => {
  const event = toEvent(
    {
      event: "Stripe.Charge.Failed",
      resource: { "prefect.resource.id": "stripe.charge.ch_1", "prefect.resource.name": "Charge One" },
      related: [{ "prefect.resource.id": "prefect-cloud.webhook.abc", "prefect.resource.role": "webhook" }],
      payload: { error: "Card Declined", amount: 12 },
    },
    { now: 0 },
  );

  test("searches the name, label values (not keys), related values and the payload as JSON, ASCII case-folded", () => {
    expect(searchableText(event)).toBe(
      'stripe.charge.failed stripe.charge.ch_1 charge one prefect-cloud.webhook.abc webhook {"error":"card declined","amount":12}',
    );
  });

  test.each([
    ["declined", true],
    ["DECLINED", true],
    ["resource", false],
    ['"error":"card', true],
    ["nope declined", true],
    ["declined -webhook", false],
    ["+declined +nope", false],
    ["+declined +12", true],
    ['"charge one prefect"', true],
  ])("%j → %p", (query, expected) => {
    expect(matchesText(parseTextQuery(query), searchableText(event))).toBe(expected);
  });
});
