// Destinations through the API: created per type, secrets write-only (never in an answer), kept
// by a PUT that leaves them out, a webhook's signing secret shown once and rotated with overlap.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";

let t: TestApp;
const clock = fixedClock();
beforeEach(() => {
  t = createTestApp({ clock });
});
afterEach(() => t.close());

async function create(body: Record<string, unknown>) {
  const res = await t.request("POST", "/api/destinations/", { body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const SECRET_URL = "https://hooks.slack.com/services/T000/B000/very-secret-token";

describe("destinations", () => {
  test("a webhook destination: created with its settings, its signing secret returned once", async () => {
    const { status, body } = await create({
      name: "ops",
      type: "webhook",
      config: { url: "http://10.0.0.5:8080/in", method: "PUT", headers: { authorization: "Bearer s3cret-header" } },
    });
    expect(status).toBe(201);
    expect(body.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.config).toEqual({ url: "http://10.0.0.5:8080/in", method: "PUT", body_template: null });
    expect(body.secrets_set).toEqual(["headers"]);
    const again = await (await t.request("GET", `/api/destinations/${body.id}`)).json();
    expect(again.signing_secret).toBeUndefined();
    expect(JSON.stringify(again)).not.toContain("s3cret-header");
    expect(JSON.stringify(again)).not.toContain(body.signing_secret);
  });

  test.each([
    ["slack", { url: SECRET_URL }, ["url"]],
    ["discord", { url: "https://discord.com/api/webhooks/1/very-secret-token" }, ["url"]],
    ["teams", { url: "https://example.webhook.office.com/very-secret-token" }, ["url"]],
    ["ntfy", { server: "http://ntfy.lan", topic: "alerts", token: "tk_very-secret-token", priority: 4, tags: ["warning"] }, ["token"]],
    ["gotify", { server: "http://gotify.lan", token: "very-secret-token" }, ["token"]],
    [
      "email",
      { host: "mail.lan", port: 25, security: "none", user: "me", password: "very-secret-token", from: "a@b.lan", to: ["c@d.lan"] },
      ["password"],
    ],
  ])("a %s destination keeps its secret out of every answer", async (type, config, secrets) => {
    const { status, body } = await create({ name: `a ${type}`, type, config });
    expect(status).toBe(201);
    expect(body.secrets_set).toEqual(secrets);
    expect(body.signing_secret).toBeUndefined();
    const list = await (await t.request("GET", "/api/destinations/")).text();
    const one = await (await t.request("GET", `/api/destinations/${body.id}`)).text();
    for (const text of [JSON.stringify(body), list, one]) expect(text).not.toContain("very-secret-token");
  });

  test("PUT without the secret keeps the stored one; PATCH changes only what it names", async () => {
    const { body } = await create({ name: "chat", type: "ntfy", config: { server: "http://ntfy.lan", topic: "a", token: "keep-me" } });
    const put = await t.request("PUT", `/api/destinations/${body.id}`, {
      body: { name: "chat 2", config: { server: "http://ntfy2.lan", topic: "b" } },
    });
    expect(put.status).toBe(200);
    expect((await put.json()).secrets_set).toEqual(["token"]);
    expect((t.ctx.destinations.get(body.id)!.secrets as { token: string }).token).toBe("keep-me");
    const patch = await t.request("PATCH", `/api/destinations/${body.id}`, { body: { config: { priority: 5 } } });
    const patched = await patch.json();
    expect(patched.name).toBe("chat 2");
    expect(patched.config).toEqual({ server: "http://ntfy2.lan", topic: "b", priority: 5, tags: [] });
  });

  test("rotation returns a new secret once; the previous one signs for 24 hours more", async () => {
    const { body } = await create({ name: "w", type: "webhook", config: { url: "http://127.0.0.1:1/x" } });
    const res = await t.request("POST", `/api/destinations/${body.id}/rotate-secret`);
    const { signing_secret } = await res.json();
    expect(signing_secret).toMatch(/^whsec_/);
    expect(signing_secret).not.toBe(body.signing_secret);
    const stored = t.ctx.destinations.get(body.id)!;
    const { activeSigningSecrets } = await import("../../src/actions/destinations/model.ts");
    expect(activeSigningSecrets(stored.signing_secrets, clock.now())).toEqual([signing_secret, body.signing_secret]);
    expect(activeSigningSecrets(stored.signing_secrets, clock.now() + 24 * 3_600_000 + 1)).toEqual([signing_secret]);
  });

  test.each([
    [{ name: "x", type: "webhook", config: { url: "ftp://x" } }, "config.url: must be an http or https URL"],
    [
      { name: "x", type: "webhook", config: { url: "http://169.254.169.254/latest" } },
      "config.url: link-local metadata addresses are refused",
    ],
    [{ name: "x", type: "webhook", config: { url: "http://[fd00:ec2::254]/" } }, "config.url: link-local metadata addresses are refused"],
    [
      { name: "x", type: "webhook", config: { url: "http://a/", headers: { "webhook-id": "x" } } },
      "config.headers: webhook-id is set by Inlet",
    ],
    [{ name: "x", type: "webhook", config: { url: "http://a/", body_template: "{{ oops" } }, "config.body_template:"],
    [{ name: "x", type: "ntfy", config: { server: "http://a", topic: "no spaces" } }, "config.topic:"],
    [{ name: "x", type: "email", config: { host: "h", from: "a@b.c" } }, "config.to: is required"],
    [{ name: "x", type: "slack", config: { url: "https://x", colour: "red" } }, "config.colour: is not a setting"],
  ])("invalid settings → 422 naming the field (%#)", async (body, message) => {
    const { status, body: answer } = await create(body);
    expect(status).toBe(422);
    expect(answer.error.code).toBe("validation");
    expect(answer.error.message).toStartWith(message);
    expect(t.ctx.destinations.list()).toEqual([]);
  });

  test("a type cannot change; an unknown id is 404; delete removes it", async () => {
    const { body } = await create({ name: "s", type: "slack", config: { url: SECRET_URL } });
    const put = await t.request("PUT", `/api/destinations/${body.id}`, { body: { name: "s", type: "discord", config: {} } });
    expect(put.status).toBe(422);
    expect((await t.request("GET", "/api/destinations/nope")).status).toBe(404);
    expect((await t.request("DELETE", `/api/destinations/${body.id}`)).status).toBe(204);
    expect((await t.request("GET", `/api/destinations/${body.id}`)).status).toBe(404);
  });

  test("secrets are encrypted at rest: the database holds no value, only which fields are set", async () => {
    const { body } = await create({ name: "n", type: "ntfy", config: { server: "http://ntfy.lan", topic: "a", token: "at-rest-secret" } });
    const row = t.ctx.db.$client.query("SELECT * FROM destinations WHERE id = ?").get(body.id);
    expect(JSON.stringify(row)).not.toContain("at-rest-secret");
    expect(JSON.parse((row as { secrets: string }).secrets).set).toEqual(["token"]);
    expect((t.ctx.destinations.get(body.id)!.secrets as { token: string }).token).toBe("at-rest-secret");
  });

  test("rotating the secret of a destination that does not sign → 422", async () => {
    const { body } = await create({ name: "s", type: "slack", config: { url: SECRET_URL } });
    expect((await t.request("POST", `/api/destinations/${body.id}/rotate-secret`)).status).toBe(422);
  });
});
