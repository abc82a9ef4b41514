// Staged events: written in another store's transaction, handed to the event store once.
import { describe, expect, test } from "bun:test";
import { atomically } from "../../src/db/transaction.ts";
import type { Event } from "../../src/events/model.ts";
import { createTestApp, fixedClock } from "../support/app.ts";

const event = (id: string, name = "test.staged"): Event => ({
  id,
  occurred: "2026-01-02T03:04:05.000Z",
  received: "2026-01-02T03:04:05.000Z",
  event: name,
  resource: { "prefect.resource.id": "test.resource" },
  related: [],
  payload: { n: 1 },
  follows: null,
});

describe("staged events", () => {
  test("a staged event reaches the event store once, even when flushed twice", async () => {
    await using t = createTestApp({ database: "file" });
    const id = Bun.randomUUIDv7();
    t.ctx.staged.stage([event(id)]);
    expect(t.ctx.staged.pending()).toBe(1);
    await Promise.all([t.ctx.staged.flush(t.ctx.events), t.ctx.staged.flush(t.ctx.events)]);
    expect(t.ctx.staged.pending()).toBe(0);
    expect(t.ctx.events.count()).toBe(1);
    // A flush repeated after a crash (the event stored, the staged row not yet deleted) stores nothing new.
    t.ctx.staged.stage([event(id)]);
    await t.ctx.staged.flush(t.ctx.events);
    expect(t.ctx.events.count()).toBe(1);
    expect((await t.ctx.events.get(id))?.payload).toEqual({ n: 1 });
  });

  test("an event staged and flushed while an empty flush is finishing is written all the same", async () => {
    await using t = createTestApp();
    // The empty pass has already run to its end, but `flushing` is cleared only after this turn.
    const empty = t.ctx.staged.flush(t.ctx.events);
    t.ctx.staged.stage([event(Bun.randomUUIDv7())]);
    await Promise.all([empty, t.ctx.staged.flush(t.ctx.events)]);
    expect(t.ctx.staged.pending()).toBe(0);
    expect(t.ctx.events.count()).toBe(1);
  });

  test("a flush with nothing staged does not stop later flushes from writing", async () => {
    await using t = createTestApp();
    await t.ctx.staged.flush(t.ctx.events);
    const id = Bun.randomUUIDv7();
    t.ctx.staged.stage([event(id)]);
    await t.ctx.staged.flush(t.ctx.events);
    expect(t.ctx.staged.pending()).toBe(0);
    expect((await t.ctx.events.get(id))?.id).toBe(id);
  });

  test("events staged in the same millisecond are written in the order they were staged", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    // Ids that sort backwards, staged in one transaction and in two.
    const ids = ["0199f000-0000-7000-8000-00000000000c", "0199f000-0000-7000-8000-00000000000b", "0199f000-0000-7000-8000-00000000000a"];
    atomically(t.ctx.db, () => t.ctx.staged.stage([event(ids[0]!), event(ids[1]!)]));
    t.ctx.staged.stage([event(ids[2]!)]);
    await t.ctx.staged.flush(t.ctx.events);
    expect((await t.ctx.events.after(0, 10)).map((s) => s.event.id)).toEqual(ids);
  });

  test("a full write queue leaves the rest staged, in order; a later flush writes them, each once", async () => {
    await using t = createTestApp({ clock: fixedClock(), config: { writeQueueLimit: 2 } });
    const ids = [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()];
    t.ctx.staged.stage(ids.map((id) => event(id)));
    const refused = await t.ctx.staged.flush(t.ctx.events).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(refused).toBe("The write queue is full");
    expect(t.ctx.staged.pending()).toBe(1);
    await t.ctx.staged.flush(t.ctx.events);
    expect(t.ctx.staged.pending()).toBe(0);
    expect((await t.ctx.events.after(0, 10)).map((s) => s.event.id)).toEqual(ids);
  });

  test("a transaction that fails stages nothing", async () => {
    await using t = createTestApp();
    expect(() =>
      atomically(t.ctx.db, () => {
        t.ctx.staged.stage([event(Bun.randomUUIDv7())]);
        throw new Error("the decision failed");
      }),
    ).toThrow("the decision failed");
    expect(t.ctx.staged.pending()).toBe(0);
  });

  test("after() reads committed events in commit order, from a sequence number on", async () => {
    await using t = createTestApp();
    const ids = [Bun.randomUUIDv7(), Bun.randomUUIDv7(), Bun.randomUUIDv7()];
    for (const id of ids) await t.ctx.events.write(event(id));
    const all = await t.ctx.events.after(0, 10);
    expect(all.map((s) => s.event.id)).toEqual(ids);
    const rest = await t.ctx.events.after(all[0]!.seq, 1);
    expect(rest.map((s) => s.event.id)).toEqual([ids[1]]);
  });
});
