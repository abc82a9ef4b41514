// What the request gates cost each request, in-process: request-limits.ts with every gate on (client
// address behind a trusted proxy, header limits, in-flight and per-address caps, probe throttle,
// refusal counters) around a handler that answers at once, against the bare handler, and the
// per-hook metrics count. CPU time, so less at the mercy of a shared machine than a throughput run.
// Run: `npx bun bench/gates.ts`. Medians of BENCH_ROUNDS rounds of BENCH_N requests, interleaved.
import { CidrList } from "../src/http/cidr.ts";
import { ProbeThrottle } from "../src/http/probe-throttle.ts";
import { silentLogger } from "../src/log.ts";
import { countHookRequest, noteWebhook } from "../src/metrics/hooks.ts";
import { Metrics } from "../src/metrics/metrics.ts";
import { RequestLimits } from "../src/request-limits.ts";
import { median } from "./support.ts";

const N = Number(process.env.BENCH_N ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const metrics = new Metrics();
const limits = new RequestLimits({
  bodyTimeoutMs: 15_000,
  maxRequestsPerAddress: 256,
  maxRequestsInFlight: 512,
  headers: { maxCount: 100, maxBytes: 8192 },
  probes: new ProbeThrottle({ burst: 30, perMinute: 10, blockMs: 300_000, slowMs: 1000 }),
  trustedProxies: CidrList.parse("10.0.0.0/8, ::1"),
  metrics,
  logger: silentLogger,
});
const server = { requestIP: () => ({ address: "10.0.0.1", family: "IPv4", port: 1 }) } as never;
// Headers like a GitHub delivery through a proxy.
const HEADERS = {
  host: "hooks.example.com",
  "user-agent": "GitHub-Hookshot/abc123",
  "content-type": "application/json",
  "x-github-event": "push",
  "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
  "x-hub-signature-256": `sha256=${"a".repeat(64)}`,
  "x-forwarded-for": "140.82.115.1",
  "x-forwarded-proto": "https",
};
const handler = (request: Request) => {
  noteWebhook(request, "0190f3b4-3a2b-7cde-8f00-00000000abcd");
  const response = new Response(null, { status: 204 });
  countHookRequest(metrics, request, response);
  return response;
};
const bare = (request: Request) => new Response(null, { status: 204 });
const gated = limits.wrap(handler);

async function run(kind: "bare" | "gated"): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const request = new Request("http://hooks.example.com/hooks/abcdefghijklmnopqrstuv", { method: "POST", headers: HEADERS });
    if (kind === "bare") bare(request);
    else await gated(request, server);
  }
  const used = process.cpuUsage(t0);
  return ((used.user + used.system) * 1000) / N; // ns per request
}

const results = { bare: [] as number[], gated: [] as number[] };
await run("gated"); // warm up
for (let r = 0; r < ROUNDS; r++) {
  results.bare.push(await run("bare"));
  results.gated.push(await run("gated"));
}
const b = median(results.bare);
const g = median(results.gated);
console.log(
  `${N} requests × ${ROUNDS} rounds, CPU ns per request (median): bare ${b.toFixed(0)}, with the gates and hook metrics ${g.toFixed(0)}, cost ${(g - b).toFixed(0)} ns`,
);
