import { describe, expect, test } from "bun:test";
import { AppError } from "../../../src/errors.ts";
import { defaultSince, parseEventFilter, serializeFilter } from "../../../src/events/filter/filter.ts";

const NOW = Date.parse("2026-03-10T12:34:56.789Z");

function failure(input: unknown): string {
  try {
    parseEventFilter(input, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    expect((err as AppError).code).toBe("validation");
    return (err as Error).message;
  }
  throw new Error("expected a validation error");
}

describe("parseEventFilter", () => {
  test("an absent filter gets Prefect's defaults: start of the UTC day 180 days ago until now, DESC", () => {
    const f = parseEventFilter(undefined, NOW);
    expect(f).toEqual({
      occurred: { since: Date.parse("2025-09-11T00:00:00Z"), until: NOW },
      related: [],
      any_resource: [],
      order: "DESC",
    });
    expect(defaultSince(NOW)).toBe(Date.parse("2025-09-11T00:00:00Z"));
  });

  test("reads every field, single related/any_resource filters become lists, label strings become lists", () => {
    const f = parseEventFilter(
      {
        occurred: { since: "2026-03-01T00:00:00Z" },
        event: { prefix: ["a."], exclude_prefix: null, name: ["a.b"], exclude_name: [] },
        resource: { id: ["r"], labels: { env: "prod", tier: ["1", "!2"] }, distinct: true },
        related: { id: ["x"], resources_in_roles: [["x", "webhook"]] },
        any_resource: [{ id_prefix: ["p"] }, { labels: { "prefect.resource.id": "q*" } }],
        id: { id: ["0190F3B4-3A2B-7CDE-8F00-000000000001", "0190f3b43a2b7cde8f00000000000002"] },
        text: { query: "error -debug" },
        order: "ASC",
      },
      NOW,
    );
    expect(f.occurred).toEqual({ since: Date.parse("2026-03-01T00:00:00Z"), until: NOW });
    expect(f.resource).toEqual({ id: ["r"], id_prefix: undefined, labels: { env: ["prod"], tier: ["1", "!2"] }, distinct: true });
    expect(f.related).toEqual([{ id: ["x"], role: undefined, labels: undefined, resources_in_roles: [["x", "webhook"]] }]);
    expect(f.any_resource).toHaveLength(2);
    expect(f.id).toEqual(["0190f3b4-3a2b-7cde-8f00-000000000001", "0190f3b4-3a2b-7cde-8f00-000000000002"]);
    expect(f.text).toBe("error -debug");
    expect(f.order).toBe("ASC");
  });

  test("serializeFilter round-trips through parseEventFilter, window included", () => {
    const f = parseEventFilter({ event: { prefix: ["a"] }, related: [{ role: ["webhook"] }], text: { query: "x" }, id: { id: [] } }, NOW);
    expect(parseEventFilter(JSON.parse(JSON.stringify(serializeFilter(f))), NOW + 60_000)).toEqual(f);
  });

  test.each([
    [{ resource: { lables: {} } }, "filter.resource.lables: unknown key"],
    [{ evnt: {} }, "filter.evnt: unknown key"],
    [{ related: [{ id: ["a"] }, { rol: ["b"] }] }, "filter.related[1].rol: unknown key"],
    [{ any_resource: { labels: {}, role: ["x"] } }, "filter.any_resource.role: unknown key"],
    [{ occurred: { since: "2026-01-01", after: "x" } }, "filter.occurred.after: unknown key"],
    [{ text: { query: "a", mode: "x" } }, "filter.text.mode: unknown key"],
    [{ id: { ids: [] } }, "filter.id.ids: unknown key"],
    [[], "filter: must be an object, got array"],
    [{ event: { prefix: "github." } }, "filter.event.prefix: must be a list of strings, got string"],
    [{ event: { name: ["a", 1] } }, "filter.event.name[1]: must be a string, got number"],
    [{ resource: { labels: { env: 1 } } }, 'filter.resource.labels["env"]: must be a string or a list of strings, got number'],
    [{ resource: { labels: { env: ["a", null] } } }, 'filter.resource.labels["env"][1]: must be a string, got null'],
    [{ resource: { distinct: "yes" } }, "filter.resource.distinct: must be a boolean, got string"],
    [{ related: { resources_in_roles: [["a"]] } }, "filter.related.resources_in_roles[0]: must be a [resource id, role] pair"],
    [{ occurred: { since: "last week" } }, "filter.occurred.since: must be an ISO-8601 date-time"],
    [{ occurred: null }, "filter.occurred: must be an object, got null"],
    [{ id: { id: ["nope"] } }, "filter.id.id[0]: must be a UUID"],
    [{ text: {} }, "filter.text.query: Field required"],
    [{ text: { query: "x".repeat(201) } }, "filter.text.query: must be at most 200 characters"],
    [{ order: "desc" }, 'filter.order: must be "ASC" or "DESC"'],
  ])("rejects %j: %s", (input, message) => {
    expect(failure(input)).toBe(message);
  });

  test("a 200-character query is accepted; length counts characters, not UTF-16 units", () => {
    expect(parseEventFilter({ text: { query: "😀".repeat(200) } }, NOW).text).toHaveLength(400);
  });
});
