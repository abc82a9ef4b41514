// The automations table's store: round trips, sorting, pausing with a reason, change listeners.
import { describe, expect, test } from "bun:test";
import type { AutomationCore } from "../../src/automations/model.ts";
import { atomically } from "../../src/db/transaction.ts";
import { createTestApp, fixedClock } from "../support/app.ts";

const core = (name: string): AutomationCore => ({
  name,
  description: "",
  enabled: true,
  tags: [],
  trigger: {
    type: "event",
    id: crypto.randomUUID(),
    match: { "prefect.resource.id": "cron.backup" },
    match_related: {},
    after: [],
    expect: ["cron.ok"],
    for_each: [],
    posture: "Reactive",
    threshold: 1,
    within: 0,
  },
  actions: [{ type: "do-nothing" }],
  actions_on_trigger: [],
  actions_on_resolve: [],
});

describe("AutomationStore", () => {
  test("create, get, replace, pause with a reason, resume, delete; each change heard once, after it", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    const store = t.ctx.automations;
    const heard: string[] = [];
    store.onChange((id) => heard.push(`${id}:${store.get(id)?.enabled ?? "gone"}`));
    const a = store.create(core("backup"));
    expect(store.get(a.id)).toEqual(a);
    expect(a.created).toBe("2026-01-02T03:04:05.000Z");
    clock.advance(1000);
    expect(store.replace(a.id, { ...core("backup 2"), description: "nightly" })?.description).toBe("nightly");
    expect(store.get(a.id)?.updated).toBe("2026-01-02T03:04:06.000Z");
    expect(store.setEnabled(a.id, false, "fired too often")).toBe(true);
    expect(store.get(a.id)?.enabled).toBe(false);
    expect(store.pausedReason(a.id)).toBe("fired too often");
    store.setEnabled(a.id, true);
    expect(store.pausedReason(a.id)).toBeNull();
    expect(store.delete(a.id)).toBe(true);
    expect(store.delete(a.id)).toBe(false);
    expect(store.replace(a.id, core("x"))).toBeNull();
    expect(store.setEnabled(a.id, true)).toBe(false);
    expect(heard).toEqual([`${a.id}:true`, `${a.id}:true`, `${a.id}:false`, `${a.id}:true`, `${a.id}:gone`]);
  });

  test("filter sorts, pages and selects by name; count counts", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    for (const name of ["b", "a", "c"]) {
      t.ctx.automations.create(core(name));
      clock.advance(1000);
    }
    const names = (q: Parameters<typeof t.ctx.automations.filter>[0]) => t.ctx.automations.filter(q).map((a) => a.name);
    expect(names({})).toEqual(["a", "b", "c"]);
    expect(names({ sort: "NAME_DESC" })).toEqual(["c", "b", "a"]);
    expect(names({ sort: "CREATED_DESC", limit: 2 })).toEqual(["c", "a"]);
    expect(names({ offset: 1, limit: 1 })).toEqual(["b"]);
    expect(names({ names: ["c", "a"] })).toEqual(["a", "c"]);
    expect(t.ctx.automations.count()).toBe(3);
    expect(t.ctx.automations.list().map((a) => a.name)).toEqual(["b", "a", "c"]);
  });

  test("each change stages its lifecycle event in its own transaction; a rolled-back change stages nothing", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    const store = t.ctx.automations;
    const a = store.create(core("backup"));
    store.replace(a.id, core("backup 2"));
    store.setEnabled(a.id, false);
    store.delete(a.id);
    expect(store.setEnabled(a.id, true)).toBe(false);
    expect(store.delete(a.id)).toBe(false);
    expect(t.ctx.staged.pending()).toBe(4);
    expect(() =>
      atomically(t.ctx.db, () => {
        store.create(core("never"));
        throw new Error("the outer transaction fails");
      }),
    ).toThrow("the outer transaction fails");
    expect(t.ctx.staged.pending()).toBe(4);
    expect(store.count()).toBe(0);
    await t.ctx.staged.flush(t.ctx.events);
    const stored = await t.ctx.events.after(0, 10);
    expect(stored.map((s) => [s.event.event, s.event.resource["prefect.resource.name"]])).toEqual([
      ["prefect-cloud.automation.created", "backup"],
      ["prefect-cloud.automation.updated", "backup 2"],
      ["prefect-cloud.automation.updated", "backup 2"],
      ["prefect-cloud.automation.deleted", "backup 2"],
    ]);
    expect(stored.every((s) => s.event.resource["prefect.resource.id"] === `prefect-cloud.automation.${a.id}`)).toBe(true);
    expect(stored[2]!.event.payload).toMatchObject({ id: a.id, enabled: false });
  });
});
