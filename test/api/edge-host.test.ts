// The request's edge: which host and path a request is for. Routing, the API guard and the log must
// agree on the path whatever the Host (short ones like a NAS's "nas" included); a malformed Host is
// refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { resolveConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openMemoryDatabase } from "../../src/db/open.ts";
import { createLogger } from "../../src/log.ts";
import { createTestApp } from "../support/app.ts";
import { people } from "../support/people.ts";
import { rawHead, rawRequest } from "../support/raw-http.ts";
import { startFeedServer, waitUntil, type FeedServer } from "./feed-support.ts";

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
    await ctx.writer.drain();
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
      expect([path, short.status, short.body]).toEqual([path, usual.status, usual.body]);
    }
  });

  test("a viewer cannot reach the admin-only /api/users through a short Host (real socket)", async () => {
    await server.ctx.users.create({ email: "viewer@example.com", password: "viewer password", role: "viewer" });
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST", headers: { "content-type": "application/json", origin: server.url },
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
    for (const host of ["127.0.0.1", `127.0.0.1:${port}`, "[::1]", `[::1]:${port}`, "LOCALHOST", "localhost.", "Nas:4280", "app.localhost"]) {
      const res = await rawRequest(port, rawHead("GET", "/api/health", { Host: host }));
      expect([host, res.status]).toEqual([host, 200]);
    }
  });
});
