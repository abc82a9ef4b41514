// --trusted-proxies over real sockets: forwarding headers name the client (for logs, sign-in
// throttling and the cookie's Secure flag) only when the peer is a trusted proxy. Here every request
// comes from 127.0.0.1; one server trusts it, the other does not.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawConnection, startLoggedServer, type LoggedServer } from "../support/raw-http.ts";
import { waitUntil } from "../support/wait.ts";

const EMAIL = "ops@example.com";
const PASSWORD = "correct horse battery";

async function serverTrusting(trustedProxies: string[]): Promise<LoggedServer> {
  const srv = await startLoggedServer({ trustedProxies });
  await srv.server.ctx.users.create({ email: EMAIL, password: PASSWORD, role: "admin" });
  return srv;
}

const login = (srv: LoggedServer, password: string, headers: Record<string, string>) =>
  fetch(`${srv.server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email: EMAIL, password }),
  });

/** Five wrong passwords from the claimed address: the sixth attempt from there is throttled if that address is believed. */
async function failFiveTimes(srv: LoggedServer, headers: Record<string, string>) {
  for (let i = 0; i < 5; i++) expect((await login(srv, "wrong password", headers)).status).toBe(401);
}

describe("from a peer that is not a trusted proxy", () => {
  let srv: LoggedServer;
  beforeAll(async () => void (srv = await serverTrusting(["10.0.0.0/8"])));
  afterAll(() => srv.stop());

  test("spoofed X-Forwarded-For and Forwarded are ignored: the log names the peer, and rotating them does not escape the throttle", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await login(srv, "wrong password", { "x-forwarded-for": `203.0.113.${i}`, forwarded: `for=198.51.100.${i}` });
      expect(res.status).toBe(401);
    }
    const sixth = await login(srv, PASSWORD, { "x-forwarded-for": "203.0.113.200", forwarded: "for=198.51.100.200" });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("retry-after")).toMatch(/^\d+$/);
    await waitUntil(() => srv.lines.some((l) => l.includes("POST /api/auth/login 429")), "the refusal's log line");
    const logged = srv.lines.filter((l) => l.includes("POST /api/auth/login"));
    expect(logged.every((l) => l.includes("client=127.0.0.1"))).toBe(true);
    expect(srv.lines.join("\n")).not.toMatch(/203\.0\.113|198\.51\.100/);
  });

  test("a spoofed X-Forwarded-Proto: https does not make the cookie Secure", async () => {
    const fresh = await serverTrusting([]);
    try {
      const res = await login(fresh, PASSWORD, { "x-forwarded-proto": "https", forwarded: "proto=https" });
      expect(res.status).toBe(200);
      expect(res.headers.get("set-cookie")).not.toContain("Secure");
    } finally {
      await fresh.stop();
    }
  });
});

describe("from a trusted proxy", () => {
  let srv: LoggedServer;
  beforeAll(async () => void (srv = await serverTrusting(["127.0.0.1/32", "::1"])));
  afterAll(() => srv.stop());

  test("the client is the right-most untrusted X-Forwarded-For entry: it is throttled alone, and logged", async () => {
    // The left-most entry is the client's own claim, which a proxy appends to and cannot vouch for.
    await failFiveTimes(srv, { "x-forwarded-for": "198.51.100.7, 203.0.113.10" });
    expect((await login(srv, PASSWORD, { "x-forwarded-for": "203.0.113.10" })).status).toBe(429);
    // Another client behind the same proxy is not held up.
    expect((await login(srv, PASSWORD, { "x-forwarded-for": "203.0.113.11" })).status).toBe(200);
    await waitUntil(() => srv.lines.some((l) => l.includes("POST /api/auth/login 200")), "the sign-in's log line");
    expect(srv.lines.some((l) => l.includes("POST /api/auth/login 429") && l.includes("client=203.0.113.10"))).toBe(true);
    expect(srv.lines.some((l) => l.includes("client=198.51.100.7"))).toBe(false);
  });

  test("Forwarded names the client when there is no X-Forwarded-For", async () => {
    await failFiveTimes(srv, { forwarded: 'for="[2001:db8::5]:443";proto=https' });
    expect((await login(srv, PASSWORD, { forwarded: 'for="[2001:db8::5]"' })).status).toBe(429);
    expect((await login(srv, PASSWORD, { forwarded: "for=2001:db8::6" })).status).not.toBe(429);
  });

  test("a browser's https Origin counts as this server's when a trusted proxy says it ended TLS", async () => {
    const res = await login(srv, PASSWORD, { "x-forwarded-for": "203.0.113.30", "x-forwarded-proto": "https" });
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    const host = new URL(srv.server.url).host;
    const patch = (headers: Record<string, string>) =>
      fetch(`${srv.server.url}/api/settings`, {
        method: "PATCH",
        headers: { cookie, origin: `https://${host}`, "content-type": "application/json", ...headers },
        body: JSON.stringify({ enforce_webhook_auth: false }),
      });
    expect((await patch({ "x-forwarded-for": "203.0.113.30", "x-forwarded-proto": "https" })).status).toBe(200);
    // The same Origin without the proxy's word for https is another origin.
    expect((await patch({ "x-forwarded-for": "203.0.113.30" })).status).toBe(403);
  });

  test("X-Forwarded-Proto: https makes the session cookie Secure; plain http does not", async () => {
    const https = await login(srv, PASSWORD, { "x-forwarded-for": "203.0.113.20", "x-forwarded-proto": "https" });
    expect(https.status).toBe(200);
    expect(https.headers.get("set-cookie")).toMatch(/; Secure$/);
    const http = await login(srv, PASSWORD, { "x-forwarded-for": "203.0.113.21", "x-forwarded-proto": "http" });
    expect(http.headers.get("set-cookie")).not.toContain("Secure");
  });
});

describe("--max-requests-per-address behind a trusted proxy", () => {
  let srv: LoggedServer;
  beforeAll(
    async () => void (srv = await startLoggedServer({ trustedProxies: ["127.0.0.0/8"], maxRequestsPerAddress: 2, bodyTimeoutMs: 60_000 })),
  );
  afterAll(() => srv.stop());

  test("each forwarded client has its own cap, though all arrive from the proxy's address", async () => {
    const held = await Promise.all(
      [1, 2].map(async () => {
        const conn = await rawConnection(srv.port);
        conn.socket.write(
          "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.40\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        );
        return conn;
      }),
    );
    await waitUntil(() => srv.server.requestsInProgress("203.0.113.40") === 2, "two requests held for one client");
    const health = (from: string) => fetch(`${srv.server.url}/api/health`, { headers: { "x-forwarded-for": from } });
    expect((await health("203.0.113.40")).status).toBe(429);
    expect((await health("203.0.113.41")).status).toBe(200);
    for (const c of held) c.socket.destroy();
    await waitUntil(() => srv.server.requestsInProgress() === 0, "the held requests to end");
  });
});
