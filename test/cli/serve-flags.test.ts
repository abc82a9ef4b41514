// The operating flags of `inlet serve` (proxies, limits, metrics): bad values are usage errors (exit 2)
// that name the flag and never echo a secret; good ones, from flags or the environment, reach the config.
import { describe, expect, test } from "bun:test";
import {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  DEFAULT_MAX_REQUESTS_IN_FLIGHT,
  DEFAULT_PROBE_BLOCK_SECONDS,
  DEFAULT_PROBE_BURST,
  resolveConfig,
} from "../../src/config.ts";
import { inlet } from "../support/cli.ts";

describe("bad values → exit 2, naming the flag", () => {
  test.each([
    [["--trusted-proxies", "10.0.0.0/8,proxy.lan"], 'trusted-proxies: "proxy.lan" is not an IP address or CIDR range'],
    [["--trusted-proxies", "10.0.0.0/33"], 'trusted-proxies: "10.0.0.0/33" has a prefix length out of range'],
    [["--max-requests-in-flight", "many"], 'max-requests-in-flight must be a whole number, got "many"'],
    [["--max-header-count", "3"], "max-header-count must be between 8 and 1000, got 3"],
    [["--max-header-bytes", "65536"], "max-header-bytes must be between 1024 and 16384, got 65536"],
    [["--probe-burst=-1"], 'probe-burst must be a whole number, got "-1"'],
    [["--probe-block-seconds", "0"], "probe-block-seconds must be between 1 and 86400, got 0"],
    [["--metrics-listen", "9280"], 'metrics-listen must be HOST:PORT (e.g. 127.0.0.1:9280 or [::1]:9280), got "9280"'],
    [["--metrics-listen", "127.0.0.1:99999"], "metrics-listen must be HOST:PORT"],
  ])("serve %j", async (args, message) => {
    const r = await inlet(["serve", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`inlet: ${message}`);
  });

  test("a short or spaced metrics token is refused without echoing it", async () => {
    for (const token of ["short-secret", "a token with spaces in it"]) {
      const r = await inlet(["serve", "--metrics-token", token]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("metrics-token must be 16 to 512 printable characters, without spaces");
      expect(r.stderr).not.toContain(token);
    }
  });
});

describe("good values reach the config", () => {
  test("defaults: no proxy trusted, metrics off, the limits' named defaults", () => {
    const c = resolveConfig({}, {});
    expect(c.trustedProxies).toEqual([]);
    expect(c.metricsListen).toBeNull();
    expect(c.metricsToken).toBeNull();
    expect([c.maxRequestsInFlight, c.maxHeaderCount, c.maxHeaderBytes, c.probeBurst, c.probeBlockSeconds]).toEqual([
      DEFAULT_MAX_REQUESTS_IN_FLIGHT,
      DEFAULT_MAX_HEADER_COUNT,
      DEFAULT_MAX_HEADER_BYTES,
      DEFAULT_PROBE_BURST,
      DEFAULT_PROBE_BLOCK_SECONDS,
    ]);
  });

  test("from the environment, with flags winning", () => {
    const env = {
      INLET_TRUSTED_PROXIES: "127.0.0.1, fd00::/8",
      INLET_MAX_REQUESTS_IN_FLIGHT: "64",
      INLET_MAX_HEADER_COUNT: "50",
      INLET_MAX_HEADER_BYTES: "4096",
      INLET_PROBE_BURST: "0",
      INLET_PROBE_BLOCK_SECONDS: "60",
      INLET_METRICS_LISTEN: "[::1]:9280",
      INLET_METRICS_TOKEN: "0123456789abcdef0123",
    };
    const c = resolveConfig({ "max-requests-in-flight": "0" }, env);
    expect(c.trustedProxies).toEqual(["127.0.0.1", "fd00::/8"]);
    expect(Object.isFrozen(c.trustedProxies)).toBe(true);
    expect([c.maxRequestsInFlight, c.maxHeaderCount, c.maxHeaderBytes, c.probeBurst, c.probeBlockSeconds]).toEqual([0, 50, 4096, 0, 60]);
    expect(c.metricsListen).toBe("[::1]:9280");
    expect(c.metricsToken).toBe("0123456789abcdef0123");
  });
});
