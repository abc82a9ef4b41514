// Where a batch comes from: the bus's events while they continue the watermark, the store otherwise.
import { expect, test } from "bun:test";
import { MAX_KEPT_EVENTS, PendingEvents } from "../../../src/automations/engine/pending.ts";
import type { StoredEvent } from "../../../src/events/store/event-store.ts";
import { testEvent } from "../../support/automation-engine.ts";

const stored = (seq: number): StoredEvent => ({ seq, event: testEvent("x", { at: seq }) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => stored(from + i));

function source() {
  const reads: number[] = [];
  const store = { after: (seq: number, limit: number) => (reads.push(seq), range(seq + 1, Math.min(seq + limit, 100))) };
  return { pending: new PendingEvents(store), reads };
}

test("published events that continue the watermark are taken as they are; the store is not read", async () => {
  const { pending, reads } = source();
  pending.published(range(11, 15));
  expect((await pending.next(10, 3)).map((e) => e.seq)).toEqual([11, 12, 13]);
  expect((await pending.next(13, 10)).map((e) => e.seq)).toEqual([14, 15]);
  expect(reads).toEqual([]);
  expect(pending.waiting).toBe(false);
});

test("a gap, or events the watermark has passed, send the batch to the store", async () => {
  const { pending, reads } = source();
  pending.published([...range(5, 8), ...range(12, 13)]);
  expect((await pending.next(8, 10)).map((e) => e.seq)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  expect(reads).toEqual([8]);
  expect((await pending.next(10, 10)).map((e) => e.seq)[0]).toBe(11);
});

test("more than it keeps: it forgets them and reads from the store", async () => {
  const { pending, reads } = source();
  pending.published(range(1, MAX_KEPT_EVENTS));
  pending.published(range(MAX_KEPT_EVENTS + 1, MAX_KEPT_EVENTS + 1));
  expect(pending.waiting).toBe(false);
  await pending.next(0, 5);
  expect(reads).toEqual([0]);
});
