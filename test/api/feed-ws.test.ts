// WS /api/events/out against a real server: Prefect's handshake, exactly-once delivery in commit
// order, backfill joined to live events, and filters (related included) agreeing with the stored query.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SESSION_COOKIE } from "../../src/auth/sessions.ts";
import type { Event } from "../../src/events/model.ts";
import { burst, FeedClient, postJson, startFeedServer, type FeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

const BURST_TEMPLATE = '{"event":"burst.{{ body.n }}","resource":{"prefect.resource.id":"r"}}';

let s: FeedServer;
beforeAll(async () => void (s = await startFeedServer()));
afterAll(() => s.stop());

describe("handshake (Prefect's subscriptions.py)", () => {
  const webhookKey = () => s.ctx.serviceAccounts.create("sender", "webhook").api_key;
  test.each([
    ["a first message that is not auth", () => ({ type: "filter", filter: {} }), 1008, "Expected 'auth' message"],
    ["a first message that is not JSON", () => "hello", 1008, "Expected 'auth' message"],
    ["an unknown token", () => ({ type: "auth", token: "inlet_not-a-real-key" }), 1008, "Invalid token"],
    ["no token and no cookie", () => ({ type: "auth", token: null }), 1008, "Auth required but no token provided"],
    ["a webhook-only key", () => ({ type: "auth", token: webhookKey() }), 1008, "This key may only be used to send webhooks"],
  ])("%s → closed with Prefect's code and reason", async (_name, first, code, reason) => {
    const client = new FeedClient(s.wsUrl);
    await new Promise((resolve) => (client.ws.onopen = resolve));
    const message = first();
    client.ws.send(typeof message === "string" ? message : JSON.stringify(message));
    expect(await client.waitForClose()).toEqual({ code, reason });
    expect(client.messages).toEqual([]);
  });

  test.each([
    ["a second message that is not a filter", { type: "auth", token: "again" }, "Expected 'filter' message"],
    [
      "a filter with a misspelt key",
      { type: "filter", filter: { resource: { lables: {} } } },
      "Invalid filter: filter.resource.lables: unknown key",
    ],
    [
      "a filter with a bad date",
      { type: "filter", filter: { occurred: { since: "yesterday" } } },
      "Invalid filter: filter.occurred.since: must be an ISO-8601 date-time",
    ],
    ["a non-boolean backfill", { type: "filter", filter: {}, backfill: "yes" }, "Invalid filter: backfill: must be a boolean"],
  ])("after auth, %s → close 1002 saying why", async (_name, second, reason) => {
    const client = new FeedClient(s.wsUrl);
    await client.auth(s.adminKey);
    client.send(second);
    expect(await client.waitForClose()).toEqual({ code: 1002, reason });
  });

  test("the subprotocol is prefect", async () => {
    const client = await FeedClient.subscribe(s, {}, { backfill: false });
    expect(client.ws.protocol).toBe("prefect");
    expect(client.closed).toBeNull();
    client.ws.close();
  });

  test("a viewer's session cookie on the upgrade authenticates a null token; from another origin it is refused", async () => {
    const user = await s.ctx.users.create({ email: "feed-viewer@example.com", password: "viewer password", role: "viewer" });
    const { token } = s.ctx.sessions.create(user.id)!;
    const cookie = `${SESSION_COOKIE}=${token}`;
    const same = new FeedClient(s.wsUrl, { cookie, origin: s.url });
    await same.auth(null);
    same.ws.close();

    const cross = new FeedClient(s.wsUrl, { cookie, origin: "https://evil.example" });
    await new Promise((resolve) => (cross.ws.onopen = resolve));
    cross.send({ type: "auth", token: null });
    expect(await cross.waitForClose()).toEqual({ code: 1008, reason: "Cross-site request refused (Origin does not match this server)" });
  });

  test("an API key on the upgrade (as Prefect Cloud clients send it) authenticates a null token", async () => {
    const client = new FeedClient(s.wsUrl, { authorization: `Bearer ${s.adminKey}` });
    await client.auth(null);
    client.ws.close();
  });

  test("a plain GET (no upgrade) is a 400, not the event with id 'out'", async () => {
    const res = await fetch(`${s.url}/api/events/out`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
  });
});

describe("delivery", () => {
  test("a subscriber opened before a burst of webhook requests gets every event exactly once, in commit order", async () => {
    const hook = await s.webhook(BURST_TEMPLATE, "burst");
    const client = await FeedClient.subscribe(s, { event: { prefix: ["burst."] } }, { backfill: false });
    const statuses = await burst(400, 40, (n) => postJson(hook.url, { n }));
    expect(statuses.every((status) => status === 204)).toBe(true);

    const committed = s.storedIds((e) => e.event.startsWith("burst."));
    expect(committed).toHaveLength(400);
    await waitUntil(() => client.ids().length >= 400, "400 events");
    expect(client.ids()).toEqual(committed);
    expect(new Set(client.events().map((e) => e.event)).size).toBe(400);
    client.ws.close();
  });

  test("backfill, then live: events stored during the backfill are neither lost nor duplicated", async () => {
    // Three pages of stored events, then a subscriber asking for them while more arrive.
    const stored = Array.from({ length: 700 }, (_, n) => ({ event: "bf.stored", resource: { "prefect.resource.id": `bf.${n}` } }));
    expect((await s.api("POST", "/api/events", stored)).status).toBe(204);
    const hook = await s.webhook('{"event":"bf.live.{{ body.n }}","resource":{"prefect.resource.id":"bf"}}', "backfill");

    const client = new FeedClient(s.wsUrl);
    await client.auth(s.adminKey);
    client.send({ type: "filter", filter: { event: { prefix: ["bf."] } } });
    const statuses = await burst(300, 30, (n) => postJson(hook.url, { n }));
    expect(statuses.every((status) => status === 204)).toBe(true);

    const all = s.storedIds((e) => e.event.startsWith("bf."));
    expect(all).toHaveLength(1000);
    await waitUntil(() => client.ids().length >= 1000, "1000 events");
    const ids = client.ids();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...all].sort());
    // Stored events are older than the live ones, so backfill-then-live order is commit order here.
    expect(ids).toEqual(all);
    client.ws.close();
  });

  test("subscribers joining one after another during a burst, each with its own backfill, get every event once, in commit order", async () => {
    const hook = await s.webhook('{"event":"share.{{ body.n }}","resource":{"prefect.resource.id":"share"}}', "share");
    const filter = { event: { prefix: ["share."] } };
    const first = await FeedClient.subscribe(s, filter, { backfill: false });
    // Subscribers keep joining while events arrive: each switches from backfill to live at its own moment.
    const joined: FeedClient[] = [];
    const joining = (async () => {
      for (let i = 0; i < 8; i++) joined.push(await FeedClient.subscribe(s, filter));
    })();
    const statuses = await burst(400, 20, (n) => postJson(hook.url, { n }));
    await joining;
    expect(statuses.every((status) => status === 204)).toBe(true);
    expect((await s.api("POST", "/api/events", [{ event: "share.last", resource: { "prefect.resource.id": "share" } }])).status).toBe(204);

    const committed = s.storedIds((e) => e.event.startsWith("share."));
    expect(committed).toHaveLength(401);
    for (const client of [first, ...joined]) {
      await waitUntil(() => client.ids().length >= 401, "401 events");
      expect(client.ids()).toEqual(committed);
    }
    for (const client of [first, ...joined]) client.ws.close();
  });

  test("the backfill is clamped to the window, oldest first whatever the order asked; backfill:false sends none", async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const events = [5, 20, 10].map((m) => ({ event: "clamp.old", occurred: at(m), resource: { "prefect.resource.id": `clamp.${m}` } }));
    expect((await s.api("POST", "/api/events", events)).status).toBe(204);

    const filter = { event: { name: ["clamp.old"] }, occurred: { since: at(60) }, order: "DESC" };
    const client = await FeedClient.subscribe(s, filter);
    await waitUntil(() => client.events().length >= 2, "the backfill");
    expect(client.events().map((e) => e.resource["prefect.resource.id"])).toEqual(["clamp.10", "clamp.5"]);

    const none = await FeedClient.subscribe(s, filter, { backfill: false });
    expect((await s.api("POST", "/api/events", [{ event: "clamp.old", resource: { "prefect.resource.id": "clamp.now" } }])).status).toBe(
      204,
    );
    await waitUntil(() => none.events().length >= 1 && client.events().length >= 3, "the live event");
    expect(none.events().map((e) => e.resource["prefect.resource.id"])).toEqual(["clamp.now"]);
    client.ws.close();
    none.ws.close();
  });
});

describe("filters select exactly what the stored-event query selects", () => {
  test("event, resource, related (by id, by role and label) and any_resource", async () => {
    const a = await s.webhook(
      '{"event":"flt.{{ body.kind }}","resource":{"prefect.resource.id":"flt.{{ body.res }}","team":"{{ body.team }}"}}',
      "hook-a",
    );
    const b = await s.webhook(
      '{"event":"flt.{{ body.kind }}","resource":{"prefect.resource.id":"flt.{{ body.res }}","team":"{{ body.team }}"}}',
      "hook-b",
    );
    const filters: Record<string, unknown> = {
      relatedById: { related: { id: [`prefect-cloud.webhook.${a.id}`] } },
      relatedByRoleAndName: { related: { role: ["webhook"], labels: { "prefect.resource.name": "hook-b" } } },
      relatedFlowRun: { related: { resources_in_roles: [["prefect.flow-run.1", "flow-run"]] } },
      anyResource: { any_resource: { id_prefix: ["prefect.flow-run."] } },
      eventAndLabels: { event: { prefix: ["flt."], exclude_name: ["flt.skip"] }, resource: { labels: { team: ["data*", "!data-ops"] } } },
      relatedAndResource: {
        event: { prefix: ["flt."] },
        resource: { id: ["flt.2"] },
        related: { labels: { "prefect.resource.name": "hook-*" } },
      },
    };
    const clients = Object.fromEntries(
      await Promise.all(
        Object.entries(filters).map(async ([name, f]) => [name, await FeedClient.subscribe(s, f, { backfill: false })] as const),
      ),
    );

    const kinds = ["run", "skip", "done"];
    const teams = ["data", "data-ops", "web", "data-science"];
    await burst(48, 8, (n) => postJson(n % 2 ? b.url : a.url, { kind: kinds[n % 3], res: n % 5, team: teams[n % 4] }));
    const direct = [0, 1, 2].map((n) => ({
      event: "flt.run",
      resource: { "prefect.resource.id": `flt.${n}`, team: "data" },
      related: [
        { "prefect.resource.id": `prefect.flow-run.${n}`, "prefect.resource.role": "flow-run", "prefect.resource.name": `hook-${n}` },
      ],
    }));
    // Last, one event every filter selects: live delivery is in commit order, so once it is in, all is.
    const sentinel = {
      id: crypto.randomUUID(),
      event: "flt.run",
      resource: { "prefect.resource.id": "flt.2", team: "data" },
      related: [
        { "prefect.resource.id": `prefect-cloud.webhook.${a.id}`, "prefect.resource.role": "webhook", "prefect.resource.name": "hook-a" },
        { "prefect.resource.id": `prefect-cloud.webhook.${b.id}`, "prefect.resource.role": "webhook", "prefect.resource.name": "hook-b" },
        { "prefect.resource.id": "prefect.flow-run.1", "prefect.resource.role": "flow-run" },
      ],
    };
    expect((await s.api("POST", "/api/events", [...direct, sentinel])).status).toBe(204);

    const ours = new Set(s.storedIds((e) => e.event.startsWith("flt.")));
    for (const [name, f] of Object.entries(filters)) {
      const since = new Date(Date.now() - 60_000).toISOString();
      const res = await s.api("POST", "/api/events/filter", { filter: { ...(f as object), occurred: { since } }, limit: 50 });
      const expected = ((await res.json()) as { events: Event[] }).events.map((e) => e.id).filter((id) => ours.has(id));
      // Each filter selects some events and leaves out others.
      expect({ name, some: expected.length > 1, notAll: expected.length < ours.size }).toEqual({ name, some: true, notAll: true });
      await waitUntil(() => clients[name]!.ids().includes(sentinel.id), `${name}: the last event`);
      expect({ name, ids: [...clients[name]!.ids()].sort() }).toEqual({ name, ids: [...expected].sort() });
    }
    for (const c of Object.values(clients)) c.ws.close();
  });
});
