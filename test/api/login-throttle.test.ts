// Failed sign-in throttling: bursts, shared addresses (NAT, reverse proxies) and proxy headers.
import { describe, expect, test } from "bun:test";
import { MAX_FAILURES, MAX_FAILURES_PER_ADDRESS } from "../../src/auth/throttle.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { waitUntil } from "./feed-support.ts";

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
    const statuses = await burst(gate, Array.from({ length: 40 }, (_, n) => () => login(t, ADMIN.email, `wrong password ${n}`)));
    expect(gate.started()).toBe(MAX_FAILURES);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - MAX_FAILURES);
  });

  test("a parallel spray over many emails from one address: at most the address's limit reach the hash", async () => {
    const t = createTestApp();
    const gate = gatePasswordChecks(t);
    const count = MAX_FAILURES_PER_ADDRESS + 30;
    const statuses = await burst(gate, Array.from({ length: count }, (_, n) => () => login(t, `made-up-${n}@example.com`, "guess guess")));
    expect(gate.started()).toBe(MAX_FAILURES_PER_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(count - MAX_FAILURES_PER_ADDRESS);
  });

  test("a right password within a burst still signs in, and the pair starts afresh", async () => {
    const t = createTestApp();
    await t.ctx.users.create({ ...ADMIN, role: "admin" });
    const gate = gatePasswordChecks(t, [ADMIN.email]);
    const statuses = await burst(gate, [() => login(t, ADMIN.email, ADMIN.password), ...Array.from({ length: 3 }, () => () => login(t, ADMIN.email, "wrong password"))]);
    expect(statuses).toEqual([200, 401, 401, 401]);
    for (let n = 0; n < MAX_FAILURES; n++) expect((await login(t, ADMIN.email, "wrong again")).status).toBe(401);
    expect((await login(t, ADMIN.email, ADMIN.password)).status).toBe(429);
  });
});
