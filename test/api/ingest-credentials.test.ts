// Credentials a sender puts in headers never reach templates, stored events or failure events,
// which viewers can read.
import { describe, expect, test } from "bun:test";
import { displayPrefix } from "../../src/auth/keys.ts";
import { CREDENTIAL_HEADERS } from "../../src/ingest/headers.ts";
import { createTestApp } from "../support/app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "../support/hooks.ts";

const DEFAULT_PAYLOAD = '{"event":"hook.received","resource":{"prefect.resource.id":"hook"}}';
// Renders what the template sees as `headers`; not an event, so each request also stores a failure
// event, whose `rendered` is that view and whose payload holds the headers again.
const SHOW_HEADERS = "{{ headers|tojson }}";

const secretFor = (name: string) => `s3cret-${name}-value`;

describe("credential headers are dropped", () => {
  test("the list names the usual places senders put secrets", () => {
    expect(CREDENTIAL_HEADERS).toEqual(
      expect.arrayContaining(["authorization", "proxy-authorization", "cookie", "x-api-key", "x-gitlab-token"]),
    );
  });

  test.each(CREDENTIAL_HEADERS.map((name) => [name]))(
    "%s appears neither in the stored event, nor in a failure event, nor in what the template sees",
    async (name) => {
      const t = createTestApp();
      const plain = await createWebhook(t, { name: "plain", template: DEFAULT_PAYLOAD });
      const shown = await createWebhook(t, { name: "shown", template: SHOW_HEADERS });
      const headers = { [name]: secretFor(name), "x-github-event": "push" };
      expect((await hook(t, plain.slug, { headers })).status).toBe(204);
      expect((await hook(t, shown.slug, { headers })).status).toBe(400);

      const [stored, failed] = storedEvents(t);
      expect(stored!.payload.headers).toMatchObject({ "x-github-event": "push" });
      expect(stored!.payload.headers).not.toHaveProperty(name);
      expect(failed!.event).toBe(FAILED);
      expect(JSON.parse(failed!.payload.rendered as string)).toMatchObject({ "x-github-event": "push" });
      expect(JSON.parse(failed!.payload.rendered as string)).not.toHaveProperty(name);
      expect(failed!.payload.headers).not.toHaveProperty(name);
      const everything = JSON.stringify(t.ctx.db.$client.query("SELECT * FROM events").all());
      expect(everything).not.toContain(secretFor(name));
    },
  );

  test("a failure for a missing or wrong key does not store the credential headers either", async () => {
    const t = createTestApp();
    const account = t.ctx.serviceAccounts.create("sender", "webhook");
    const w = await createWebhook(t, { template: DEFAULT_PAYLOAD, service_account_id: account.id });
    const headers = Object.fromEntries(CREDENTIAL_HEADERS.map((name) => [name, secretFor(name)]));
    expect((await hook(t, w.slug, { headers })).status).toBe(401);
    const [failed] = storedEvents(t);
    expect(failed!.payload.reason).toBe("unauthorized");
    for (const name of CREDENTIAL_HEADERS) expect(JSON.stringify(failed)).not.toContain(secretFor(name));
  });
});

describe("Inlet keys in any header are masked", () => {
  test("a key sent in the wrong header shows only its prefix, in the event, the failure event and the template", async () => {
    const t = createTestApp();
    const account = t.ctx.serviceAccounts.create("sender", "webhook");
    const key = account.api_key;
    const plain = await createWebhook(t, { name: "plain", template: DEFAULT_PAYLOAD });
    const guarded = await createWebhook(t, { name: "guarded", template: DEFAULT_PAYLOAD, service_account_id: account.id });
    const shown = await createWebhook(t, { name: "shown", template: SHOW_HEADERS });
    const headers = { "x-token": key, "x-hook-auth": `Bearer ${key}`, "x-both": `${key},${key}` };
    expect((await hook(t, plain.slug, { headers })).status).toBe(204);
    expect((await hook(t, guarded.slug, { headers })).status).toBe(401);
    expect((await hook(t, shown.slug, { headers })).status).toBe(400);

    const masked = `${displayPrefix(key)}…`;
    const [stored, unauthorized, failed] = storedEvents(t);
    const expected = { "x-token": masked, "x-hook-auth": `Bearer ${masked}`, "x-both": `${masked},${masked}` };
    expect(stored!.payload.headers).toMatchObject(expected);
    expect(unauthorized!.payload).toMatchObject({ reason: "unauthorized", headers: expected });
    expect(JSON.parse(failed!.payload.rendered as string)).toMatchObject(expected);
    expect(JSON.stringify(t.ctx.db.$client.query("SELECT * FROM events").all())).not.toContain(key);
  });

  test("the playground sees the same headers as ingestion", async () => {
    const t = createTestApp();
    const key = t.ctx.serviceAccounts.create("sender", "webhook").api_key;
    const res = await t.request("POST", "/api/templates/render", {
      body: {
        template: SHOW_HEADERS,
        request: { method: "POST", headers: { "X-Api-Key": "s3cret", Cookie: "a=b", "X-Token": key, "X-GitHub-Event": "push" }, body: "" },
      },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse((await res.json()).rendered)).toEqual({ "x-token": `${displayPrefix(key)}…`, "x-github-event": "push" });
  });
});
