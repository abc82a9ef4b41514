import { describe, expect, test } from "bun:test";
import { createTestApp, fixedClock } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";
import { ORIGIN, people } from "../support/people.ts";

const suppressed = async (t: ReturnType<typeof createTestApp>, headers: Record<string, string> = {}, key?: string | null) => {
  const res = await t.request("GET", "/api/failures/suppressed", { headers, key });
  expect(res.status).toBe(200);
  return (await res.json()) as { webhooks: Record<string, number> };
};

describe("GET /api/failures/suppressed", () => {
  test("failures dropped under the budget are counted per webhook until the next stored failure carries them", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    const broken = await createWebhook(t, { name: "broken", template: "not json" });
    const fine = await createWebhook(t, { name: "fine", template: "also not json" });
    expect(await suppressed(t)).toEqual({ webhooks: {} });

    for (let i = 0; i < 50; i++) expect((await hook(t, broken.slug, { method: "GET" })).status).toBe(400);
    expect((await hook(t, fine.slug, { method: "GET" })).status).toBe(400);
    expect(storedEvents(t).filter((e) => e.event === FAILED)).toHaveLength(21);
    // 20 stored for "broken", 30 dropped; "fine" stored its only one.
    expect(await suppressed(t)).toEqual({ webhooks: { [broken.id]: 30 } });

    clock.advance(60_000);
    expect((await hook(t, broken.slug, { method: "GET" })).status).toBe(400);
    expect(storedEvents(t).at(-1)!.payload.suppressed).toBe(30);
    expect(await suppressed(t)).toEqual({ webhooks: {} });
  });

  test("viewers may read it; no credentials → 401", async () => {
    await using t = createTestApp();
    const { viewer } = await people(t);
    expect(await suppressed(t, { cookie: viewer, origin: ORIGIN }, null)).toEqual({ webhooks: {} });
    expect((await t.request("GET", "/api/failures/suppressed", { key: null })).status).toBe(401);
  });
});
