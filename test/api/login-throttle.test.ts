// Failed sign-in throttling: bursts, shared addresses (NAT, reverse proxies) and proxy headers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_FAILURES, MAX_FAILURES_PER_ADDRESS } from "../../src/auth/throttle.ts";
import { resolveConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { waitUntil } from "../support/wait.ts";

const ADMIN = { email: "admin@example.com", password: "correct horse" };

const login = (t: TestApp, email: string, password: string) =>
  t.request("POST", "/api/auth/login", { key: null, body: { email, password }, headers: { origin: "http://localhost" } });

/**
 * Counts the password checks that start, and holds them at a gate until released, so that a burst
 * is entirely in flight before any attempt has finished. Checks of `passThrough` emails run for
 * real after the gate; the others fail without spending a hash.
 */
function gatePasswordChecks(t: TestApp, passThrough: string[] = []) {
  let started = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const real = t.ctx.users.verify.bind(t.ctx.users);
  t.ctx.users.verify = async (email, password) => {
    started++;
    await gate;
    return passThrough.includes(email) ? real(email, password) : null;
  };
  return { started: () => started, release };
}

/** Sends all the requests at once; resolves with their statuses once every one has either answered or reached the gate. */
async function burst(gate: ReturnType<typeof gatePasswordChecks>, requests: (() => Promise<Response>)[]) {
  let answered = 0;
  const pending = requests.map((send) => send().then((res) => (answered++, res)));
  await waitUntil(() => answered + gate.started() === requests.length, "every attempt to answer or reach the password check");
  gate.release();
  return (await Promise.all(pending)).map((res) => res.status);
}

describe("a concurrent burst is throttled before the password hash", () => {
  test("40 parallel wrong passwords for one email: at most the pair's limit reach the hash, the rest are 429", async () => {
    const t = createTestApp();
    await t.ctx.users.create({ ...ADMIN, role: "admin" });
    const gate = gatePasswordChecks(t);
    const statuses = await burst(
      gate,
      Array.from({ length: 40 }, (_, n) => () => login(t, ADMIN.email, `wrong password ${n}`)),
    );
    expect(gate.started()).toBe(MAX_FAILURES);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - MAX_FAILURES);
  });

  test("a parallel spray over many emails from one address: at most the address's limit reach the hash", async () => {
    const t = createTestApp();
    const gate = gatePasswordChecks(t);
    const count = MAX_FAILURES_PER_ADDRESS + 30;
    const statuses = await burst(
      gate,
      Array.from({ length: count }, (_, n) => () => login(t, `made-up-${n}@example.com`, "guess guess")),
    );
    expect(gate.started()).toBe(MAX_FAILURES_PER_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(count - MAX_FAILURES_PER_ADDRESS);
  });

  test("a right password within a burst still signs in, and the pair starts afresh", async () => {
    const t = createTestApp();
    await t.ctx.users.create({ ...ADMIN, role: "admin" });
    const gate = gatePasswordChecks(t, [ADMIN.email]);
    const statuses = await burst(gate, [
      () => login(t, ADMIN.email, ADMIN.password),
      ...Array.from({ length: 3 }, () => () => login(t, ADMIN.email, "wrong password")),
    ]);
    expect(statuses).toEqual([200, 401, 401, 401]);
    for (let n = 0; n < MAX_FAILURES; n++) expect((await login(t, ADMIN.email, "wrong again")).status).toBe(401);
    expect((await login(t, ADMIN.email, ADMIN.password)).status).toBe(429);
  });
});

describe("a shared address cannot lock someone else out", () => {
  test("failures on made-up emails from a shared address do not lock out a user who signed in from there", async () => {
    const t = createTestApp();
    await t.ctx.users.create({ ...ADMIN, role: "admin" });
    await t.ctx.users.create({ email: "new@example.com", password: "new password", role: "viewer" });
    expect((await login(t, ADMIN.email, ADMIN.password)).status).toBe(200);

    // app.handle has no socket: every request here comes from the same (unknown) address.
    const gate = gatePasswordChecks(t, [ADMIN.email]);
    gate.release();
    for (let n = 0; n < MAX_FAILURES_PER_ADDRESS; n++) expect((await login(t, `made-up-${n}@example.com`, "guess guess")).status).toBe(401);
    const spraying = await login(t, "one-more@example.com", "guess guess");
    expect(spraying.status).toBe(429);
    expect(Number(spraying.headers.get("retry-after"))).toBeGreaterThan(800);

    expect((await login(t, ADMIN.email, ADMIN.password)).status).toBe(200);
    // Someone who has not signed in from this address yet waits with everyone else there.
    expect((await login(t, "new@example.com", "new password")).status).toBe(429);
  });

  test("the pair limit still holds for a user who signed in from the address before", async () => {
    const t = createTestApp();
    await t.ctx.users.create({ ...ADMIN, role: "admin" });
    expect((await login(t, ADMIN.email, ADMIN.password)).status).toBe(200);
    for (let n = 0; n < MAX_FAILURES; n++) expect((await login(t, ADMIN.email, "wrong password")).status).toBe(401);
    expect((await login(t, ADMIN.email, ADMIN.password)).status).toBe(429);
  });
});

describe("over real sockets: the address is the peer's", () => {
  let server: RunningServer;
  let dir: string;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "inlet-throttle-"));
    server = await startServer({ ...resolveConfig({ "data-dir": dir }, {}), host: "127.0.0.1", port: 0 }, silentLogger);
    port = Number(new URL(server.url).port);
    await server.ctx.users.create({ ...ADMIN, role: "admin" });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** POST /api/auth/login from a given loopback address (Linux routes all of 127.0.0.0/8 to lo). */
  function loginFrom(localAddress: string, email: string, password: string, headers: Record<string, string> = {}): Promise<number> {
    const body = JSON.stringify({ email, password });
    const head = [
      `POST /api/auth/login HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      "Content-Type: application/json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Connection: close",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress });
      let answer = "";
      socket.on("connect", () => socket.write(`${head.join("\r\n")}\r\n\r\n${body}`));
      socket.on("data", (chunk) => (answer += chunk));
      socket.on("error", reject);
      socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    });
  }

  test("X-Forwarded-For is not believed, and failures from one address do not lock the email at another", async () => {
    for (let n = 0; n < MAX_FAILURES; n++) {
      expect(
        await loginFrom("127.0.0.2", ADMIN.email, "wrong password", { "x-forwarded-for": `203.0.113.${n}`, "x-real-ip": `203.0.113.${n}` }),
      ).toBe(401);
    }
    // Whatever the header claims, it is the same client at 127.0.0.2: locked.
    expect(await loginFrom("127.0.0.2", ADMIN.email, ADMIN.password, { "x-forwarded-for": "198.51.100.7" })).toBe(429);
    expect(await loginFrom("127.0.0.1", ADMIN.email, ADMIN.password)).toBe(200);
  });
});
