// What API answers carry: headers that keep them out of caches and content sniffing, and for
// viewers, webhook URLs masked (for a webhook without a service account, the URL is the credential).
import { describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";
import { ORIGIN, people } from "../support/people.ts";

const TEMPLATE = '{"event": "edge.test", "resource": {"prefect.resource.id": "edge.test"}}';

describe("API and sign-in answers are never cached or sniffed", () => {
  const cases: [string, (t: TestApp) => Promise<Response>][] = [
    ["GET /api/service-accounts", (t) => t.request("GET", "/api/service-accounts")],
    ["POST /api/service-accounts (a new api_key)", (t) => t.request("POST", "/api/service-accounts", { body: { name: "ci" } })],
    [
      "POST /api/service-accounts/{id}/rotate-key",
      async (t) => {
        const { id } = await (await t.request("POST", "/api/service-accounts", { body: { name: "ci" } })).json();
        return t.request("POST", `/api/service-accounts/${id}/rotate-key`);
      },
    ],
    ["GET /api/health", (t) => t.request("GET", "/api/health", { key: null })],
    ["a 401", (t) => t.request("GET", "/api/webhooks/x", { key: null })],
    ["a 404 for an unknown API path", (t) => t.request("GET", "/api/nope")],
    ["a 422", (t) => t.request("POST", "/api/webhooks/", { body: {} })],
    ["GET /api/auth/setup", (t) => t.request("GET", "/api/auth/setup", { key: null })],
    [
      "POST /api/auth/login",
      (t) =>
        t.request("POST", "/api/auth/login", {
          key: null,
          body: { email: "a@example.com", password: "nope nope" },
          headers: { origin: ORIGIN },
        }),
    ],
    ["GET /api/auth/me", (t) => t.request("GET", "/api/auth/me")],
    ["POST /api/events/filter", (t) => t.request("POST", "/api/events/filter", { body: {} })],
  ];

  test.each(cases)("%s: Cache-Control: no-store and X-Content-Type-Options: nosniff", async (_name, send) => {
    const res = await send(createTestApp());
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test.each(["/", "/webhooks/abc", "/missing.js", "/index.html"])("the admin UI's %s: X-Content-Type-Options: nosniff", async (path) => {
    const t = createTestApp();
    const res = await t.app.handle(new Request(`http://localhost${path}`));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("hook answers stay bare (no API headers)", async () => {
    const t = createTestApp();
    const w = await createWebhook(t, { template: TEMPLATE });
    const res = await hook(t, w.slug);
    expect(res.status).toBe(204);
    expect(res.headers.get("cache-control")).toBeNull();
    await t.ctx.events.drain();
    expect(storedEvents(t)).toHaveLength(1);
  });
});

describe("viewers see webhook URLs masked", () => {
  async function setUp() {
    const t = createTestApp({ config: { baseUrl: "https://inlet.example.org" } });
    const cookies = await people(t);
    const w = await createWebhook(t, { template: TEMPLATE });
    const as = (cookie: string) => (method: string, path: string, body?: unknown) =>
      t.request(method, path, { key: null, body, headers: { cookie, origin: ORIGIN } });
    return { t, w, asViewer: as(cookies.viewer), asAdmin: as(cookies.admin) };
  }

  test("GET /api/webhooks/{id} and POST /api/webhooks/filter: the slug shows only its start", async () => {
    const { w, asViewer } = await setUp();
    for (const res of [await asViewer("GET", `/api/webhooks/${w.id}`), await asViewer("POST", "/api/webhooks/filter", {})]) {
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(w.slug);
      const seen = [JSON.parse(text)].flat()[0];
      expect(seen.slug).toBe(`${w.slug.slice(0, 4)}…`);
      expect(seen.url).toBe(`https://inlet.example.org/hooks/${w.slug.slice(0, 4)}…`);
      expect(seen).toMatchObject({ id: w.id, name: w.name, template: TEMPLATE });
    }
  });

  test("admins (signed in or with a key) still see the whole slug and URL", async () => {
    const { t, w, asAdmin } = await setUp();
    for (const res of [await asAdmin("GET", `/api/webhooks/${w.id}`), await t.request("POST", "/api/webhooks/filter", { body: {} })]) {
      const seen = [await res.json()].flat()[0];
      expect(seen.slug).toBe(w.slug);
      expect(seen.url).toBe(`https://inlet.example.org/hooks/${w.slug}`);
    }
  });
});
