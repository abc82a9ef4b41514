// The automations API, through the front door: every route and status, Prefect's shapes, the
// validation refusals (with nothing stored), and the lifecycle events each change records.
import { describe, expect, test } from "bun:test";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";
import { automationBody, prefectCloudExport, withTrigger, type Body } from "../support/automations.ts";
import { people, ORIGIN } from "../support/people.ts";

const MISSING = "00000000-0000-4000-8000-000000000000";

async function create(t: TestApp, body: Body = automationBody()) {
  const res = await t.request("POST", "/api/automations/", { body });
  expect(res.status).toBe(201);
  return (await res.json()) as Body & { id: string; name: string; trigger: Body; actions: Body[] };
}

const get = async (t: TestApp, id: string) => (await (await t.request("GET", `/api/automations/${id}`)).json()) as Body;

/** The lifecycle events stored about automations, oldest first, as the events API lists them. */
async function lifecycleEvents(t: TestApp) {
  const res = await t.request("POST", "/api/events/filter", { body: { filter: { event: { prefix: ["prefect-cloud.automation."] } } } });
  expect(res.status).toBe(200);
  const page = (await res.json()) as { events: { event: string; resource: Record<string, string>; payload: Body; related: unknown[] }[] };
  return page.events.reverse();
}

const rows = (t: TestApp, table: string) => (t.ctx.db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("POST /api/automations/", () => {
  test("201 with Prefect's fields, the defaults filled in, a trigger id and a status", async () => {
    await using t = createTestApp({ clock: fixedClock() });
    const body = automationBody();
    delete body.description;
    delete body.tags;
    delete body.enabled;
    const a = await create(t, body);
    expect(Object.keys(a).sort()).toEqual(
      [
        "actions",
        "actions_on_resolve",
        "actions_on_trigger",
        "created",
        "description",
        "enabled",
        "id",
        "name",
        "owner_resource",
        "status",
        "tags",
        "trigger",
        "updated",
      ].sort(),
    );
    expect(a).toMatchObject({
      name: "deploy on push",
      description: "",
      enabled: true,
      tags: [],
      actions_on_trigger: [],
      actions_on_resolve: [],
      owner_resource: null,
      status: { last_triggered: null, last_resolved: null, proactive: null },
      created: "2026-01-02T03:04:05.000Z",
    });
    expect(a.trigger).toEqual({
      type: "event",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      match: { "prefect.resource.id": "github.repo.*" },
      match_related: {},
      after: [],
      expect: ["github.push"],
      for_each: [],
      posture: "Reactive",
      threshold: 1,
      within: 0,
    });
    expect(await get(t, a.id)).toEqual(a);
  });

  test("an automation exported from Prefect Cloud is accepted unchanged; read-only and Cloud-only fields are ignored", async () => {
    await using t = createTestApp();
    const exported = prefectCloudExport();
    const a = await create(t, exported);
    expect(a.id).not.toBe(exported.id);
    expect(a.created).not.toBe(exported.created);
    for (const ignored of ["account", "workspace", "created_by", "updated_by"]) expect(a).not.toHaveProperty(ignored);
    expect(a.owner_resource).toBeNull();
    expect(a.trigger).toEqual(exported.trigger as Body);
    expect(a.actions).toEqual(exported.actions as Body[]);
    expect(a.actions_on_resolve).toEqual(exported.actions_on_resolve as Body[]);
    // And an answer of this API can be sent back as it is.
    expect((await t.request("POST", "/api/automations/", { body: a })).status).toBe(201);
  });

  test("posture defaults to Reactive; a Proactive trigger without within gets 10 s", async () => {
    await using t = createTestApp();
    const reactive = await create(t, withTrigger({ posture: undefined }));
    expect(reactive.trigger.posture).toBe("Reactive");
    const proactive = await create(t, withTrigger({ posture: "Proactive", within: undefined }));
    expect(proactive.trigger.within).toBe(10);
  });

  test("within as Prefect takes it: seconds, ISO-8601, a clock time", async () => {
    await using t = createTestApp();
    for (const [given, seconds] of [
      [600, 600],
      ["PT10M", 600],
      ["00:10:00", 600],
      ["P1DT1H", 90_000],
    ] as const) {
      expect((await create(t, withTrigger({ within: given }))).trigger.within).toBe(seconds);
    }
  });

  test.each([
    ["run-deployment", { type: "run-deployment", source: "selected", deployment_id: MISSING, parameters: null, job_variables: null }],
    ["pause-work-pool", { type: "pause-work-pool", source: "inferred" }],
  ])("an unsupported action (%s) → 422 unsupported_action naming the type and its place; nothing stored", async (type, action) => {
    await using t = createTestApp();
    const res = await t.request("POST", "/api/automations/", { body: automationBody({ actions: [{ type: "do-nothing" }, action] }) });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("unsupported_action");
    expect(error.message).toContain(`actions[1].type`);
    expect(error.message).toContain(type);
    expect(rows(t, "automations")).toBe(0);
    expect(t.ctx.staged.pending()).toBe(0);
    expect(await lifecycleEvents(t)).toEqual([]);
  });

  test.each([
    ["no expect, no match", { expect: [], match: {} }],
    ["expect * and a resource id of *", { expect: ["*"], match: { "prefect.resource.id": "*" } }],
    ["absent expect and match", { expect: undefined, match: undefined }],
  ])("a trigger that matches every event (%s) → 422 trigger_too_broad; nothing stored", async (_name, fields) => {
    await using t = createTestApp();
    const res = await t.request("POST", "/api/automations/", { body: withTrigger(fields) });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("trigger_too_broad");
    expect(error.message).toStartWith("trigger:");
    expect(rows(t, "automations")).toBe(0);
  });

  test("a Proactive window under 10 s → 422 naming trigger.within", async () => {
    await using t = createTestApp();
    const res = await t.request("POST", "/api/automations/", { body: withTrigger({ posture: "Proactive", within: 9 }) });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "validation", field: "trigger.within" });
    expect(error.message).toStartWith("trigger.within: ");
    expect(rows(t, "automations")).toBe(0);
  });

  test("a template that does not compile → 422 template_invalid with the field and the line; nothing stored", async () => {
    await using t = createTestApp();
    const body = automationBody({
      actions_on_trigger: [{ type: "send-notification", block_document_id: MISSING, subject: "ok", body: "line one\n{% if %}\nthree" }],
    });
    const res = await t.request("POST", "/api/automations/", { body });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: "template_invalid", field: "actions_on_trigger[0].body", line: 2 });
    expect(error.message).toStartWith("actions_on_trigger[0].body: ");
    expect(rows(t, "automations")).toBe(0);
    expect(t.ctx.staged.pending()).toBe(0);
  });

  test("refusals name the field: a nested trigger, an action's id, the bounds", async () => {
    await using t = createTestApp();
    const refused = async (body: Body) => (await (await t.request("POST", "/api/automations/", { body })).json()).error.message as string;
    expect(await refused(automationBody({ name: "" }))).toStartWith("name:");
    expect(await refused(automationBody({ name: "x".repeat(201) }))).toStartWith("name:");
    expect(await refused(automationBody({ description: "x".repeat(4001) }))).toStartWith("description:");
    expect(await refused(automationBody({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }))).toStartWith("tags:");
    expect(await refused(automationBody({ actions: Array.from({ length: 21 }, () => ({ type: "do-nothing" })) }))).toStartWith("actions:");
    expect(await refused(automationBody({ actions: [{ type: "pause-automation", source: "selected" }] }))).toStartWith(
      "actions[0].automation_id:",
    );
    const compound = {
      type: "compound",
      require: "all",
      within: 60,
      triggers: [automationBody().trigger as Body, { ...(automationBody().trigger as Body), within: "soon" }],
    };
    expect(await refused(automationBody({ trigger: compound }))).toStartWith("trigger.triggers[1].within:");
    expect(await refused("not an object" as unknown as Body)).toStartWith("body:");
    expect((await (await t.request("POST", "/api/automations/")).json()).error.message).toBe("body: Field required");
    expect(rows(t, "automations")).toBe(0);
  });

  test("a viewer reads but cannot write; a write answers 403 and stores nothing", async () => {
    await using t = createTestApp();
    const { viewer } = await people(t);
    const a = await create(t);
    const as = (method: string, path: string, body?: unknown) =>
      t.request(method, path, { key: null, body, headers: { cookie: viewer, origin: ORIGIN } });
    expect((await as("GET", `/api/automations/${a.id}`)).status).toBe(200);
    expect((await as("POST", "/api/automations/filter", {})).status).toBe(200);
    expect((await as("POST", "/api/automations/count")).status).toBe(200);
    expect((await as("POST", "/api/automations/", automationBody())).status).toBe(403);
    expect((await as("PUT", `/api/automations/${a.id}`, automationBody({ name: "changed" }))).status).toBe(403);
    expect((await as("PATCH", `/api/automations/${a.id}`, { enabled: false })).status).toBe(403);
    expect((await as("DELETE", `/api/automations/${a.id}`)).status).toBe(403);
    expect(await get(t, a.id)).toMatchObject({ name: "deploy on push", enabled: true });
    expect(rows(t, "automations")).toBe(1);
  });
});

describe("GET, PUT, PATCH, DELETE /api/automations/:id", () => {
  test.each(["GET", "PUT", "PATCH", "DELETE"])("%s: an unknown id → 404, a malformed id → 422", async (method) => {
    await using t = createTestApp();
    const body = method === "PUT" ? automationBody() : method === "PATCH" ? { enabled: false } : undefined;
    const missing = await t.request(method, `/api/automations/${MISSING}`, { body });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    const malformed = await t.request(method, "/api/automations/not-a-uuid", { body });
    expect(malformed.status).toBe(422);
    expect((await malformed.json()).error.message).toStartWith("id:");
  });

  test("PUT → 204, replaces what it is given and keeps omitted optional fields; status and ids sent back are ignored", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    const a = await create(
      t,
      automationBody({
        description: "keep me",
        tags: ["ops"],
        enabled: false,
        actions_on_resolve: [{ type: "do-nothing" }],
      }),
    );
    clock.advance(1000);
    const res = await t.request("PUT", `/api/automations/${a.id}`, {
      body: { name: "renamed", trigger: a.trigger, actions: [], status: { bogus: true }, id: MISSING, created: "1999-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(204);
    const after = await get(t, a.id);
    expect(after).toMatchObject({
      id: a.id,
      name: "renamed",
      description: "keep me",
      tags: ["ops"],
      enabled: false,
      actions: [],
      actions_on_resolve: [{ type: "do-nothing" }],
      created: a.created,
      updated: "2026-01-02T03:04:06.000Z",
      status: { last_triggered: null, last_resolved: null, proactive: null },
    });
    expect((after.trigger as Body).id).toBe(a.trigger.id);
  });

  test("PUT validates as create does: a bad body → 422 and the stored automation is unchanged", async () => {
    await using t = createTestApp();
    const a = await create(t);
    const res = await t.request("PUT", `/api/automations/${a.id}`, { body: withTrigger({ expect: [], match: {} }) });
    expect(res.status).toBe(422);
    expect(await get(t, a.id)).toEqual(a);
  });

  test("PATCH {enabled} pauses and resumes (204); anything else → 422", async () => {
    await using t = createTestApp();
    const a = await create(t);
    expect((await t.request("PATCH", `/api/automations/${a.id}`, { body: { enabled: false } })).status).toBe(204);
    expect((await get(t, a.id)).enabled).toBe(false);
    expect((await t.request("PATCH", `/api/automations/${a.id}`, { body: { enabled: true } })).status).toBe(204);
    expect((await get(t, a.id)).enabled).toBe(true);
    for (const body of [{}, { enabled: "no" }, { name: "x" }]) {
      const res = await t.request("PATCH", `/api/automations/${a.id}`, { body });
      expect(res.status).toBe(422);
      expect((await res.json()).error.message).toStartWith("enabled:");
    }
  });

  test("DELETE → 204, then 404", async () => {
    await using t = createTestApp();
    const a = await create(t);
    expect((await t.request("DELETE", `/api/automations/${a.id}`)).status).toBe(204);
    expect((await t.request("GET", `/api/automations/${a.id}`)).status).toBe(404);
    expect((await t.request("DELETE", `/api/automations/${a.id}`)).status).toBe(404);
  });

  test("status is what the engine reports, when an engine runs", async () => {
    await using t = createTestApp();
    const a = await create(t);
    const status = { last_triggered: "2026-01-02T03:04:05.000Z", last_resolved: null, proactive: null };
    t.ctx.engine.statusOf = (id) => (id === a.id ? status : null);
    expect((await get(t, a.id)).status).toEqual(status);
  });
});

describe("POST /api/automations/filter and /count", () => {
  test("sorts (NAME_ASC by default), pages and filters by name as Prefect; count counts", async () => {
    const clock = fixedClock();
    await using t = createTestApp({ clock });
    for (const name of ["b", "a", "c"]) {
      await create(t, automationBody({ name }));
      clock.advance(1000);
    }
    const names = async (body?: unknown) => {
      const res = await t.request("POST", "/api/automations/filter", { body });
      expect(res.status).toBe(200);
      return ((await res.json()) as { name: string }[]).map((a) => a.name);
    };
    expect(await names()).toEqual(["a", "b", "c"]);
    expect(await names({ sort: "NAME_DESC" })).toEqual(["c", "b", "a"]);
    expect(await names({ sort: "CREATED_DESC", limit: 2 })).toEqual(["c", "a"]);
    expect(await names({ limit: 1, offset: 1 })).toEqual(["b"]);
    expect(await names({ automations: { name: { any_: ["c", "a"] } } })).toEqual(["a", "c"]);
    // As Prefect's client sends it: the other criteria are not applied.
    expect(
      await names({ sort: "NAME_ASC", offset: 0, automations: { operator: "and_", name: { any_: ["b"] }, tags: null, created: null } }),
    ).toEqual(["b"]);
    expect(await names(null)).toEqual(["a", "b", "c"]);
    expect((await t.request("POST", "/api/automations/filter", { body: { sort: "SIDEWAYS" } })).status).toBe(422);
    expect((await t.request("POST", "/api/automations/filter", { body: { limit: 201 } })).status).toBe(422);
    const count = await t.request("POST", "/api/automations/count");
    expect(count.status).toBe(200);
    expect(await count.json()).toBe(3);
  });
});

describe("GET /api/automations/related-to/:resource_id", () => {
  test("lists the automations whose trigger names the resource exactly, or whose actions select the automation", async () => {
    await using t = createTestApp();
    const hook = "prefect-cloud.webhook.5b3e0c8a-1f2d-4e6b-9a7c-0d1e2f3a4b5c";
    const direct = await create(
      t,
      withTrigger({ match: { "prefect.resource.id": ["cron.backup", hook] } }, automationBody({ name: "direct" })),
    );
    const related = await create(
      t,
      withTrigger(
        { match_related: [{ "prefect.resource.id": hook, "prefect.resource.role": "webhook" }] },
        automationBody({ name: "related" }),
      ),
    );
    const nested = await create(
      t,
      automationBody({
        name: "nested",
        trigger: { type: "sequence", within: null, triggers: [withTrigger({ match_related: { "prefect.resource.id": hook } }).trigger] },
      }),
    );
    await create(t, withTrigger({ match: { "prefect.resource.id": "prefect-cloud.webhook.*" } }, automationBody({ name: "glob" })));
    const pauser = await create(
      t,
      automationBody({ name: "pauser", actions: [{ type: "pause-automation", source: "selected", automation_id: direct.id }] }),
    );
    const names = async (resource: string) => {
      const res = await t.request("GET", `/api/automations/related-to/${encodeURIComponent(resource)}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { name: string; status: unknown }[]).map((a) => a.name);
    };
    expect(await names(hook)).toEqual([direct.name, related.name, nested.name]);
    expect(await names(`prefect-cloud.automation.${direct.id}`)).toEqual([pauser.name]);
    expect(await names("nothing.names.this")).toEqual([]);
  });
});

describe("DELETE /api/automations/owned-by/:resource_id", () => {
  test("→ 202: deletes the automations created with that owner_resource, each with its event; PUT cannot change the owner", async () => {
    await using t = createTestApp();
    const owner = "prefect-cloud.webhook.5b3e0c8a-1f2d-4e6b-9a7c-0d1e2f3a4b5c";
    const owned = await create(t, automationBody({ name: "owned", owner_resource: owner }));
    const moved = await create(t, automationBody({ name: "moved", owner_resource: owner }));
    const other = await create(t, automationBody({ name: "other", owner_resource: "prefect-cloud.webhook.other" }));
    const none = await create(t, automationBody({ name: "none" }));
    expect(owned.owner_resource).toBe(owner);
    // A PUT keeps the stored owner whatever its body says (as Prefect's update has no owner_resource).
    expect(
      (await t.request("PUT", `/api/automations/${moved.id}`, { body: automationBody({ name: "moved", owner_resource: null }) })).status,
    ).toBe(204);
    expect((await get(t, moved.id)).owner_resource).toBe(owner);
    const res = await t.request("DELETE", `/api/automations/owned-by/${encodeURIComponent(owner)}`);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    for (const gone of [owned, moved]) expect((await t.request("GET", `/api/automations/${gone.id}`)).status).toBe(404);
    for (const kept of [other, none]) expect((await t.request("GET", `/api/automations/${kept.id}`)).status).toBe(200);
    const deleted = (await lifecycleEvents(t)).filter((e) => e.event === "prefect-cloud.automation.deleted");
    expect(deleted.map((e) => e.resource["prefect.resource.name"]).sort()).toEqual(["moved", "owned"]);
    expect((await t.request("DELETE", `/api/automations/owned-by/${encodeURIComponent(owner)}`)).status).toBe(202);
  });
});

describe("lifecycle events", () => {
  test("create, PUT, PATCH and DELETE each store one event before answering, visible through the events API", async () => {
    await using t = createTestApp({ database: "file" });
    const a = await create(t);
    await t.request("PUT", `/api/automations/${a.id}`, { body: automationBody({ name: "renamed" }) });
    await t.request("PATCH", `/api/automations/${a.id}`, { body: { enabled: false } });
    await t.request("DELETE", `/api/automations/${a.id}`);
    expect(t.ctx.staged.pending()).toBe(0);
    const events = await lifecycleEvents(t);
    expect(events.map((e) => e.event)).toEqual([
      "prefect-cloud.automation.created",
      "prefect-cloud.automation.updated",
      "prefect-cloud.automation.updated",
      "prefect-cloud.automation.deleted",
    ]);
    expect(events.map((e) => e.resource)).toEqual([
      { "prefect.resource.id": `prefect-cloud.automation.${a.id}`, "prefect.resource.name": "deploy on push" },
      { "prefect.resource.id": `prefect-cloud.automation.${a.id}`, "prefect.resource.name": "renamed" },
      { "prefect.resource.id": `prefect-cloud.automation.${a.id}`, "prefect.resource.name": "renamed" },
      { "prefect.resource.id": `prefect-cloud.automation.${a.id}`, "prefect.resource.name": "renamed" },
    ]);
    expect(events.every((e) => e.related.length === 0)).toBe(true);
    // The payload is the automation after the change (before it, for a deletion).
    const { status: _status, ...stored } = a;
    expect(events[0]!.payload).toEqual(stored);
    expect(events[2]!.payload).toMatchObject({ id: a.id, name: "renamed", enabled: false });
    expect(events[3]!.payload).toMatchObject({ id: a.id, name: "renamed", enabled: false });
  });

  test("a refused change records no event", async () => {
    await using t = createTestApp();
    const a = await create(t);
    await t.request("PUT", `/api/automations/${a.id}`, { body: automationBody({ name: "" }) });
    await t.request("PATCH", `/api/automations/${MISSING}`, { body: { enabled: false } });
    await t.request("DELETE", `/api/automations/${MISSING}`);
    expect((await lifecycleEvents(t)).map((e) => e.event)).toEqual(["prefect-cloud.automation.created"]);
  });
});
