import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import {
  EventValidationError,
  eventJson,
  MAX_EVENT_DEPTH,
  MAX_EVENT_SIZE_BYTES,
  parseTimestamp,
  toEvent,
} from "../../../src/events/model.ts";

const now = Date.parse("2026-03-04T05:06:07.000Z");
const base = { event: "model.refreshed", resource: { "prefect.resource.id": "product.models.recommendations" } };

function failure(input: unknown): string {
  try {
    toEvent(input, { now });
  } catch (err) {
    expect(err).toBeInstanceOf(EventValidationError);
    return (err as Error).message;
  }
  throw new Error("expected a validation error");
}

describe("toEvent", () => {
  test("fills Prefect's defaults: UUIDv7 id, occurred = received = now, related [], payload {}, follows null", () => {
    const e = toEvent(base, { now });
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e).toMatchObject({
      occurred: "2026-03-04T05:06:07.000Z",
      received: "2026-03-04T05:06:07.000Z",
      related: [],
      payload: {},
      follows: null,
    });
  });

  test("an event nested deeper than SQLite's JSON functions read is refused; brackets in strings do not count", () => {
    const nested = (levels: number) => JSON.parse("[".repeat(levels) + "1" + "]".repeat(levels));
    // The event object and its payload take two levels.
    const deepest = toEvent({ ...base, payload: { p: nested(MAX_EVENT_DEPTH - 2) } }, { now });
    expect(failure({ ...base, payload: { p: nested(MAX_EVENT_DEPTH - 1) } })).toBe(
      "payload: is nested too deeply to store (an event is at most 1000 levels of JSON deep)",
    );
    expect(failure({ ...base, payload: { p: nested(200_000) } })).toContain("payload: is nested too deeply");
    toEvent({ ...base, payload: { text: "[{".repeat(5000), list: nested(10) } }, { now });
    // What is accepted, SQLite reads: the text search and counts depend on it.
    const db = new Database(":memory:");
    expect(db.query("SELECT json_valid(?) AS ok").get(eventJson(deepest))).toEqual({ ok: 1 });
    expect(db.query("SELECT json_valid(?) AS ok").get(`{"p": ${"[".repeat(MAX_EVENT_DEPTH)}1${"]".repeat(MAX_EVENT_DEPTH)}}`)).toEqual({
      ok: 0,
    });
  });

  test("drops unknown top-level keys and always sets received to the time of receipt", () => {
    const e = toEvent({ ...base, data: { x: 1 }, received: "2020-01-01T00:00:00Z" }, { now });
    expect("data" in e).toBe(false);
    expect(e.received).toBe("2026-03-04T05:06:07.000Z");
  });

  test("keeps a given id, occurred (naive means UTC, offsets applied) and follows", () => {
    const e = toEvent(
      {
        ...base,
        id: "0190F3B4-3A2B-7CDE-8F00-000000000001",
        occurred: "2025-01-02T03:04:05.123456",
        follows: "0190f3b4-3a2b-7cde-8f00-000000000002",
      },
      { now },
    );
    expect(e.id).toBe("0190f3b4-3a2b-7cde-8f00-000000000001");
    expect(e.occurred).toBe("2025-01-02T03:04:05.123Z");
    expect(e.follows).toBe("0190f3b4-3a2b-7cde-8f00-000000000002");
    expect(toEvent({ ...base, occurred: "2025-01-02T03:04:05+02:00" }, { now }).occurred).toBe("2025-01-02T01:04:05.000Z");
  });

  test.each([
    [{ resource: base.resource }, "event: Field required"],
    [{ ...base, event: 5 }, "event: must be a string, got number"],
    [{ ...base, event: "x".repeat(1025) }, "event: Event name must be at most 1024 characters"],
    [{ event: "a" }, "resource: Field required"],
    [{ event: "a", resource: {} }, "resource: Resources must include the prefect.resource.id label"],
    [{ event: "a", resource: { "prefect.resource.id": "" } }, "resource: The prefect.resource.id label must be non-empty"],
    [
      { ...base, resource: { "prefect.resource.id": "a", "pr.number": 15 } },
      'resource["pr.number"]: label values must be strings, got number',
    ],
    [{ ...base, resource: { "prefect.resource.id": "a", ok: true } }, 'resource["ok"]: label values must be strings, got boolean'],
    [{ ...base, resource: { "prefect.resource.id": "a", n: null } }, 'resource["n"]: label values must be strings, got null'],
    [{ ...base, resource: { "prefect.resource.id": "a", o: {} } }, 'resource["o"]: label values must be strings, got object'],
    [
      {
        ...base,
        related: [
          { "prefect.resource.id": "a", "prefect.resource.role": "x" },
          { "prefect.resource.id": "b", "prefect.resource.role": "y" },
          { "prefect.resource.id": "c" },
        ],
      },
      "related[2]: Related Resources must include the prefect.resource.role label",
    ],
    [
      { ...base, related: [{ "prefect.resource.id": "a", "prefect.resource.role": "" }] },
      "related[0]: The prefect.resource.role label must be non-empty",
    ],
    [{ ...base, related: {} }, "related: must be a list, got object"],
    [{ ...base, payload: [1] }, "payload: must be an object, got array"],
    [{ ...base, occurred: "yesterday" }, "occurred: must be an ISO-8601 date-time"],
    [{ ...base, id: "not-a-uuid" }, "id: must be a UUID"],
    [[base], "An event must be a JSON object, got array"],
  ])("rejects %j with %s", (input, message) => {
    expect(failure(input)).toBe(message);
  });

  test("enforces Prefect's limits on labels, related resources and size", () => {
    const labels = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`l${i}`, "v"]));
    expect(failure({ ...base, resource: { ...labels, "prefect.resource.id": "a" } })).toBe(
      "resource: The maximum number of labels per resource is 500",
    );
    expect(() =>
      toEvent({ ...base, resource: { ...Object.fromEntries(Object.entries(labels).slice(0, 499)), "prefect.resource.id": "a" } }, { now }),
    ).not.toThrow();
    const related = Array.from({ length: 101 }, (_, i) => ({ "prefect.resource.id": `r${i}`, "prefect.resource.role": "x" }));
    expect(failure({ ...base, related })).toBe("related: The maximum number of related resources is 100");
    expect(failure({ ...base, payload: { big: "x".repeat(MAX_EVENT_SIZE_BYTES) } })).toMatch(
      /^The event is \d+ bytes; the maximum is 1500000$/,
    );
  });
});

describe("parseTimestamp", () => {
  test.each([
    ["2026-01-02T03:04:05Z", Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["2026-01-02 03:04:05", Date.UTC(2026, 0, 2, 3, 4, 5)],
    ["2026-01-02T03:04:05.5-0130", Date.UTC(2026, 0, 2, 4, 34, 5, 500)],
    ["2026-13-02T03:04:05Z", null],
    ["0000-01-01T00:00:00Z", null],
    ["0001-01-01T00:00:00Z", -62_135_596_800_000], // 719,162 days before 1970
    ["", null],
    [42, null],
  ])("%j → %j", (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });
});
