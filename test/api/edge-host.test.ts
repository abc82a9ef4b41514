// The request's edge: which host and path a request is for. Routing, the API guard and the log must
// agree on the path whatever the Host (short ones like a NAS's "nas" included); a malformed Host is
// refused; only the base URL's host and loopback names reach the API and the admin UI, unless more
// are configured (DNS rebinding); and a cookie only counts when Origin is this very origin.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { ConfigError, resolveConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { createLogger } from "../../src/log.ts";
import { createTestApp } from "../support/app.ts";
import { createWebhook, storedEvents } from "../support/hooks.ts";
import { people } from "../support/people.ts";
import { rawHead, rawRequest } from "../support/raw-http.ts";
import { startFeedServer, type FeedServer } from "../support/feed.ts";
import { waitUntil } from "../support/wait.ts";

const TEMPLATE = '{"event": "edge.test", "resource": {"prefect.resource.id": "edge.test"}}';

describe("short Host names: router, guard and log agree on the path", () => {
  test("a viewer cannot reach the admin-only /api/users by prefixing the path (Host: nas)", async () => {
    const t = createTestApp({ config: { baseUrl: "http://nas:4280" } });
    const { viewer } = await people(t);
    const get = (url: string) => t.app.handle(new Request(url, { headers: { cookie: viewer } }));

    const prefixed = await get("http://nas/xx/api/users");
    expect(await prefixed.text()).not.toContain("admin@example.com");
    expect(prefixed.headers.get("content-type") ?? "").not.toContain("application/json");
    const direct = await get("http://nas/api/users");
    expect(direct.status).toBe(403);
    expect(await direct.text()).not.toContain("admin@example.com");
  });

  test("with Host: nas the log names the request's real path and masks the hook's slug", async () => {
    const lines: string[] = [];
    const ctx = createContext({
      config: { ...resolveConfig({}, {}), baseUrl: "http://nas:4280" },
      db: openMemoryDatabase(),
      logger: createLogger("info", (l) => lines.push(l)),
    });
    const app = createApp(ctx);
    const webhook = ctx.webhooks.create({ name: "h", description: "", template: TEMPLATE, enabled: true, serviceAccountId: null });
    const res = await app.handle(new Request(`http://nas/hooks/${webhook.slug}`, { method: "POST" }));
    expect(res.status).toBe(204);
    await ctx.events.drain();
    await waitUntil(() => lines.some((l) => / POST /.test(l)), "the request's log line");
    expect(lines.join("\n")).not.toContain(webhook.slug);
    expect(lines.some((l) => / POST \/hooks\/\*\*\* 204 /.test(l))).toBe(true);
  });
});

describe("over a real socket", () => {
  let server: FeedServer;
  let port: number;
  beforeAll(async () => {
    server = await startFeedServer({ baseUrl: "http://nas:4280" });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.stop());

  test("Host: nas reaches hooks, the API and the UI exactly as Host: 127.0.0.1 does", async () => {
    const hook = await server.webhook(TEMPLATE);
    const slug = hook.url.split("/hooks/")[1]!;
    const auth = { authorization: `Bearer ${server.adminKey}` };

    const sent = await rawRequest(port, rawHead("POST", `/hooks/${slug}`, { Host: "nas", "Content-Type": "application/json" }, "{}"));
    expect(sent.status).toBe(204);
    expect(server.storedIds()).toHaveLength(1);

    const read = await rawRequest(port, rawHead("GET", `/api/webhooks/${hook.id}`, { Host: "nas", ...auth }));
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body).id).toBe(hook.id);

    for (const path of ["/", "/webhooks", "/api/health", "/api/nope", `/hooks/${"x".repeat(22)}`]) {
      const short = await rawRequest(port, rawHead("GET", path, { Host: "nas" }));
      const usual = await rawRequest(port, rawHead("GET", path, { Host: "127.0.0.1" }));
      // Each page load has its own CSP nonce; everything else must be the same.
      const same = (body: string) => body.replace(/nonce="[^"]*"/g, 'nonce="…"');
      expect([path, short.status, same(short.body)]).toEqual([path, usual.status, same(usual.body)]);
    }
  });

  test("a viewer cannot reach the admin-only /api/users through a short Host (real socket)", async () => {
    await server.ctx.users.create({ email: "viewer@example.com", password: "viewer password", role: "viewer" });
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ email: "viewer@example.com", password: "viewer password" }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    for (const path of ["/xx/api/users", "/api/users"]) {
      const res = await rawRequest(port, rawHead("GET", path, { Host: "nas", cookie }));
      expect(res.body).not.toContain("viewer@example.com");
    }
  });

  test.each([
    ["a slash", "a/b"],
    ["userinfo", "user@nas"],
    ["a space", "a b"],
    ["a port past 65535", "nas:99999"],
    ["two ports", "nas:1:2"],
    ["a bad IPv6 literal", "[::zz]"],
    ["an empty value", ""],
  ])("a Host with %s → 400 on the API, the UI and hooks (nothing stored)", async (_name, host) => {
    const hook = await server.webhook(TEMPLATE);
    const slug = hook.url.split("/hooks/")[1]!;
    const before = server.storedIds().length;
    for (const path of ["/api/health", "/", `/hooks/${slug}`]) {
      const res = await rawRequest(port, rawHead("POST", path, { Host: host, "Content-Type": "application/json" }, "{}"));
      expect([path, res.status]).toEqual([path, 400]);
      if (path.startsWith("/hooks/")) expect(res.body).toBe("");
      else expect(JSON.parse(res.body).error.code).toBe("invalid_host");
    }
    expect(server.storedIds()).toHaveLength(before);
  });

  test("an HTTP/1.0 request without Host → 400", async () => {
    const res = await rawRequest(port, rawHead("GET", "/api/health", {}, "", "HTTP/1.0"));
    expect(res.status).toBe(400);
  });

  test("well-formed hosts of every kind are accepted (loopback addresses, a port, any case)", async () => {
    for (const host of [
      "127.0.0.1",
      `127.0.0.1:${port}`,
      "[::1]",
      `[::1]:${port}`,
      "LOCALHOST",
      "localhost.",
      "Nas:4280",
      "app.localhost",
    ]) {
      const res = await rawRequest(port, rawHead("GET", "/api/health", { Host: host }));
      expect([host, res.status]).toEqual([host, 200]);
    }
  });
});

describe("Host allow-list (DNS rebinding)", () => {
  const rebound = (path: string, init: RequestInit = {}) => new Request(`http://rebound.example${path}`, init);

  test("another host name → 421 on the API, sign-in, the live feed and the UI; hooks and health still answer", async () => {
    const t = createTestApp({ config: { baseUrl: "https://inlet.example.org" } });
    const auth = { authorization: `Bearer ${t.adminKey}` };
    for (const [method, path, headers] of [
      ["GET", "/api/service-accounts", auth],
      ["GET", "/api/webhooks/x", auth],
      ["GET", "/api/auth/setup", {}],
      ["POST", "/api/auth/login", { "content-type": "application/json" }],
      ["GET", "/api/events/out", { upgrade: "websocket", connection: "upgrade" }],
      ["GET", "/", {}],
      ["GET", "/webhooks", {}],
    ] as const) {
      const body = method === "POST" ? JSON.stringify({ email: "a@example.com", password: "whatever" }) : undefined;
      const res = await t.app.handle(rebound(path, { method, headers, body }));
      expect([path, res.status]).toEqual([path, 421]);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await res.json()).toEqual({ error: { code: "host_not_allowed", message: expect.stringContaining("rebound.example") } });
    }
    expect((await t.app.handle(rebound("/api/health"))).status).toBe(200);

    const w = await createWebhook(t, { template: TEMPLATE });
    expect((await t.app.handle(rebound(`/hooks/${w.slug}`, { method: "POST" }))).status).toBe(204);
    await t.ctx.events.drain();
    expect(storedEvents(t)).toHaveLength(1);
  });

  test("the base URL's host, loopback names and configured hosts are served", async () => {
    const t = createTestApp({ config: { baseUrl: "https://inlet.example.org", allowedHosts: ["nas.lan"] } });
    const get = (host: string) =>
      t.app.handle(new Request("http://localhost/api/service-accounts", { headers: { host, authorization: `Bearer ${t.adminKey}` } }));
    // Addresses are served too: only a name can be rebound.
    for (const host of [
      "inlet.example.org",
      "INLET.example.org:8080",
      "localhost:4280",
      "127.0.0.1",
      "127.1.2.3",
      "[::1]:4280",
      "nas.lan",
      "192.168.1.5:4280",
      "128.0.0.1",
      "[fd00::1]",
    ]) {
      expect([host, (await get(host)).status]).toEqual([host, 200]);
    }
    for (const host of [
      "nas.lan.evil.example",
      "inlet.example.org.evil.example",
      "evil-localhost",
      "192.168.1.5.evil.example",
      "300.1.1.1",
      "1.2.3",
    ]) {
      expect([host, (await get(host)).status]).toEqual([host, 421]);
    }
  });

  test("--allowed-hosts and INLET_ALLOWED_HOSTS: a comma list of host names; a bad entry is a usage error", () => {
    expect(resolveConfig({ "allowed-hosts": "Nas.lan, 192.168.1.5 ,[fd00::1]" }, {}).allowedHosts).toEqual([
      "nas.lan",
      "192.168.1.5",
      "[fd00::1]",
    ]);
    expect(resolveConfig({}, { INLET_ALLOWED_HOSTS: "inlet.internal" }).allowedHosts).toEqual(["inlet.internal"]);
    expect(resolveConfig({ "allowed-hosts": "flag.lan" }, { INLET_ALLOWED_HOSTS: "env.lan" }).allowedHosts).toEqual(["flag.lan"]);
    expect(resolveConfig({}, {}).allowedHosts).toEqual([]);
    for (const bad of ["a/b", "nas.lan:4280", "http://nas.lan", "a b", ","]) {
      expect(() => resolveConfig({ "allowed-hosts": bad }, {})).toThrow(ConfigError);
    }
  });
});

describe("Origin: scheme, host and port must all match", () => {
  test.each([
    ["the same origin", "http://localhost", 201],
    ["another scheme", "https://localhost", 403],
    ["another port", "http://localhost:8080", 403],
    ["the base URL's origin", "https://inlet.example.org", 201],
    ["the base URL's host with another scheme", "http://inlet.example.org", 403],
    ["the base URL's host with another port", "https://inlet.example.org:8443", 403],
  ])("a signed-in POST with %s (%s) → %d", async (_name, origin, status) => {
    const t = createTestApp({ config: { baseUrl: "https://inlet.example.org" } });
    const { admin } = await people(t);
    const res = await t.request("POST", "/api/service-accounts", { key: null, body: { name: "made" }, headers: { cookie: admin, origin } });
    expect(res.status).toBe(status);
    expect(t.ctx.serviceAccounts.list().some((a) => a.name === "made")).toBe(status === 201);
  });
});
