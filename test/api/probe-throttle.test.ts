// Probing for hooks over real sockets: a burst of unknown-slug 404s from one client address is slowed,
// then refused with 429 and Retry-After, while the hooks that exist keep answering that address, and
// other addresses are not touched. The block's end is tested on the throttle with a moved clock.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DEFAULT_PROBE_SLOW_MS } from "../../src/config.ts";
import { ProbeThrottle } from "../../src/http/probe-throttle.ts";
import { startLoggedServer, type LoggedServer } from "../support/raw-http.ts";

const TEMPLATE = '{"event": "probe.test", "resource": {"prefect.resource.id": "probe"}}';
const BURST = 4;
const UNKNOWN = (i: number) => `/hooks/${"x".repeat(20)}${i}`;

describe("unknown-hook probes from one address", () => {
  let srv: LoggedServer;
  let slug: string;
  beforeAll(async () => {
    srv = await startLoggedServer({ probeBurst: BURST, probeBlockSeconds: 120, trustedProxies: ["127.0.0.1"] });
    const key = srv.server.ctx.serviceAccounts.create("t", "admin").api_key;
    const res = await fetch(`${srv.server.url}/api/webhooks/`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "probe", template: TEMPLATE }),
    });
    ({ slug } = (await res.json()) as { slug: string });
  });
  afterAll(() => srv.stop());

  // Through a trusted proxy (this test, at 127.0.0.1), so that each client is its forwarded address.
  const get = (path: string, from: string) =>
    fetch(`${srv.server.url}${path}`, { method: "POST", body: "{}", headers: { "x-forwarded-for": from } });

  test("answered at once, then slowed past half the burst, then 429 with Retry-After; the right hook still answers", async () => {
    const prober = "203.0.113.66";
    const first = await Promise.all([0, 1].map((i) => get(UNKNOWN(i), prober)));
    expect(first.map((r) => r.status)).toEqual([404, 404]);

    const t0 = performance.now();
    const slowed = await Promise.all([2, 3].map((i) => get(UNKNOWN(i), prober)));
    expect(slowed.map((r) => r.status)).toEqual([404, 404]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(DEFAULT_PROBE_SLOW_MS - 50);

    const refused = await get(UNKNOWN(4), prober);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(100);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(120);
    expect(await refused.text()).toBe(""); // hook answers stay empty

    // The right URL from the same address: stored and acknowledged as always.
    expect((await get(`/hooks/${slug}`, prober)).status).toBe(204);
    // Still refused on unknown slugs; and the block was logged once, not per request.
    expect((await get(UNKNOWN(5), prober)).status).toBe(429);
    expect(srv.lines.filter((l) => l.includes("too many requests for unknown hooks")).length).toBe(1);
    expect(srv.server.refusals.probe).toBe(2);
    // Another client is not touched.
    expect((await get(UNKNOWN(6), "203.0.113.67")).status).toBe(404);
  });
});

describe("the probe throttle", () => {
  test("a blocked address is answered again once the block ends, and its burst has come back", () => {
    let t = 0;
    const throttle = new ProbeThrottle({ burst: 2, perMinute: 60, blockMs: 60_000, slowMs: 10, now: () => t });
    expect(throttle.miss("a")).toEqual({ kind: "answer" });
    expect(throttle.miss("a")).toEqual({ kind: "slow", ms: 10 });
    expect(throttle.miss("a")).toEqual({ kind: "refuse", retryAfterS: 60, blocked: true });
    t += 30_000;
    expect(throttle.miss("a")).toEqual({ kind: "refuse", retryAfterS: 30, blocked: false });
    expect(throttle.blockedAddresses()).toBe(1);
    expect(throttle.miss("b")).toEqual({ kind: "answer" });
    t += 30_000;
    expect(throttle.blockedAddresses()).toBe(0);
    expect(throttle.miss("a").kind).not.toBe("refuse");
  });

  test("a burst of 0 turns it off", () => {
    const throttle = new ProbeThrottle({ burst: 0, perMinute: 60, blockMs: 60_000, slowMs: 10 });
    for (let i = 0; i < 100; i++) expect(throttle.miss("a")).toEqual({ kind: "answer" });
  });
});
