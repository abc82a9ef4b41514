// The instant an event is evaluated at: its occurred, bounded by its receipt.
import { expect, test } from "bun:test";
import { eventTime } from "../../../src/automations/engine/time.ts";
import { at, testEvent } from "../../support/automation-engine.ts";

test.each([
  ["on time", 100, 100, at(100)],
  ["a little late (inside the look-back)", 100, 700, at(100)],
  ["from the future", 5000, 100, at(100)],
  ["older than the look-back", 0, 2000, at(2000 - 900)],
  ["exactly at the look-back", 1100, 2000, at(1100)],
])("%s: occurred %d s, received %d s", (_, occurred, received, expected) => {
  expect(eventTime(testEvent("x", { at: occurred, received }))).toBe(expected);
});
