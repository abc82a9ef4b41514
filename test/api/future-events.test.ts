// `occurred` is the sender's to set (Prefect's semantics, kept): a pass-through template or a
// posted event may date itself in year 9999. Retention counts from `received` too, so such an event
// is deleted with the others received as long ago instead of living forever.
import { expect, test } from "bun:test";
import { sweep } from "../../src/events/store/retention.ts";
import { silentLogger } from "../../src/log.ts";
import { createTestApp, fixedClock } from "../support/app.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";

const DAY = 86_400_000;
const FAR = "9999-12-31T23:59:59.000Z";

test("events dated far in the future, through a hook or POST /api/events, expire with those received as long ago", async () => {
  const clock = fixedClock();
  await using t = createTestApp({ clock, database: "file" });
  const w = await createWebhook(t, { template: "{{ body|tojson }}" });
  const json = { "content-type": "application/json" };
  const far = (name: string) => ({ event: name, occurred: FAR, resource: { "prefect.resource.id": "future" } });
  expect((await hook(t, w.slug, { body: JSON.stringify(far("hook.far")), headers: json })).status).toBe(204);
  expect(
    (await t.request("POST", "/api/events", { body: [far("api.far"), { event: "api.now", resource: { "prefect.resource.id": "now" } }] }))
      .status,
  ).toBe(204);
  // Stored as sent: occurred is the sender's, received is ours.
  expect(storedEvents(t).map((e) => [e.event, e.occurred])).toEqual([
    ["hook.far", FAR],
    ["api.far", FAR],
    ["api.now", new Date(clock.now()).toISOString()],
  ]);

  const retention = { client: t.ctx.db.$client, retentionDays: t.ctx.config.retentionDays, now: () => clock.now(), logger: silentLogger };
  clock.advance((t.ctx.config.retentionDays - 1) * DAY);
  expect(await sweep(retention)).toBe(0);
  expect(
    (
      await t.request("POST", "/api/events", {
        body: [{ event: "api.later", occurred: FAR, resource: { "prefect.resource.id": "future" } }],
      })
    ).status,
  ).toBe(204);

  clock.advance(2 * DAY);
  expect(await sweep(retention)).toBe(3);
  // The one received a day before the cutoff stays, whatever its `occurred`.
  expect(storedEvents(t).map((e) => e.event)).toEqual(["api.later"]);
  expect(t.ctx.db.$client.query("SELECT count(*) AS n FROM event_resources WHERE event_seq NOT IN (SELECT seq FROM events)").get()).toEqual(
    { n: 0 },
  );
});
