// The fuzz suite: a real server process takes malformed HTTP, odd bodies (invalid UTF-8, deep JSON,
// wrong content types, gzip bombs) and random event filters, for a bounded time. It passes when no
// answer is a 5xx other than 503, the process never crashes or logs an unhandled error, and its
// memory stays bounded. Seeded: the seed is printed, and FUZZ_SEED=<seed> replays the same cases.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { inlet, tempDir } from "../support/cli.ts";
import { startServeProcess, type ServeProcess } from "../support/serve.ts";
import { bodyCase, filterBody, rawCase, randomJson } from "./cases.ts";
import { fuzzSeed, seeded } from "./random.ts";

const SEED = fuzzSeed();
/** Each phase runs for this long; the whole suite stays well under a minute. */
const PHASE_MS = Number(process.env.FUZZ_PHASE_MS ?? 8000);
const CONCURRENCY = 16;
/** Peak memory may grow by this much over the idle server's: bodies are bounded at 64 KiB. */
const MEMORY_GROWTH_BOUND_KB = 256 * 1024;
const TEMPLATE =
  '{"event": "fuzz.{{ body.a|default("x") }}", "resource": {"prefect.resource.id": "fuzz.{{ headers["content-type"]|default("none") }}"}, "payload": {"b": {{ body|tojson }}}}';

const dir = tempDir("inlet-fuzz-");
let server: ServeProcess;
let key: string;
let hooks: string[] = [];
let baselineKb = 0;
let violations: string[] = [];

console.log(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED} npm run test:fuzz`);

const statusKb = (field: "VmRSS" | "VmHWM") =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1]);
/**
 * 503 is storage failing or the server busy, which senders retry. On raw sockets only, 505 too: Bun's
 * HTTP parser answers it, before any of our code runs, to a request line that is not HTTP/1.x.
 */
const allowed = (status: number, raw: boolean) => status < 500 || status === 503 || (raw && status === 505);
const note = (phase: string, i: number, kind: string, status: number) => {
  if (!allowed(status, phase === "raw")) violations.push(`seed ${SEED}, ${phase} case ${i} (${kind}): ${status}`);
};

beforeAll(async () => {
  const dataDir = join(dir.path, "data");
  const created = await inlet(["service-account", "create", "fuzz", "--role", "admin", "--data-dir", dataDir, "-o", "json"]);
  key = JSON.parse(created.stdout).api_key;
  server = await startServeProcess(["--port", "0", "--data-dir", dataDir, "--max-body-bytes", "65536", "--body-timeout-ms", "1000"]);
  for (const name of ["plain", "templated"]) {
    const res = await fetch(`${server.url}/api/webhooks/`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        name,
        template: name === "plain" ? '{"event": "fuzz", "resource": {"prefect.resource.id": "fuzz"}}' : TEMPLATE,
      }),
    });
    hooks.push(`/hooks/${((await res.json()) as { slug: string }).slug}`);
  }
  baselineKb = statusKb("VmRSS");
});

beforeEach(() => void (violations = []));

afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.stop("SIGKILL");
  dir.remove();
});

/** Runs cases `CONCURRENCY` at a time until the phase's time is up. */
async function phase(run: (i: number) => Promise<void>): Promise<number> {
  const until = performance.now() + PHASE_MS;
  let i = 0;
  while (performance.now() < until) {
    await Promise.all(Array.from({ length: CONCURRENCY }, () => run(i++)));
  }
  return i;
}

/** Sends bytes on a fresh connection; resolves to every status line the server answered with. */
function rawSend(bytes: Uint8Array): Promise<number[]> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: Number(port) });
    let data = "";
    const done = () => resolve([...data.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1])));
    // Bounded: the body deadline (1 s) answers a truncated body; nothing should take longer.
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => void (data += chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      done();
    });
    socket.on("connect", () => socket.write(bytes));
  });
}

test("malformed HTTP on raw sockets", async () => {
  const r = seeded(SEED);
  const n = await phase(async (i) => {
    const c = rawCase(r, hooks);
    for (const status of await rawSend(c.bytes)) note("raw", i, c.kind, status);
  });
  expect(n).toBeGreaterThan(0);
  expect(violations).toEqual([]);
});

test("odd bodies to hooks and the API: content types, invalid UTF-8, deep JSON, gzip bombs", async () => {
  const r = seeded(SEED + 1);
  const routes = ["/api/events", "/api/webhooks/", "/api/templates/render", "/api/events/count-by/event", "/api/auth/login"];
  await phase(async (i) => {
    const c = bodyCase(r);
    const path = r.chance(0.6) ? r.pick(hooks) : r.pick(routes);
    const method = path.startsWith("/hooks/") ? r.pick(["POST", "PUT", "PATCH", "GET"]) : "POST";
    const headers = path.startsWith("/api/") ? { ...c.headers, authorization: `Bearer ${key}` } : c.headers;
    const res = await fetch(`${server.url}${path}${r.chance(0.3) ? `?q=${encodeURIComponent(r.text())}&a=%ff` : ""}`, {
      method,
      headers,
      body: method === "GET" ? undefined : (c.body as Uint8Array<ArrayBuffer>),
    });
    await res.arrayBuffer();
    note("body", i, `${c.kind} → ${method} ${path.startsWith("/hooks/") ? "/hooks/…" : path}`, res.status);
  });
  expect(violations).toEqual([]);
});

test("random event filters and API bodies", async () => {
  const r = seeded(SEED + 2);
  const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  await phase(async (i) => {
    const [path, body] = r.chance(0.8)
      ? ["/api/events/filter", filterBody(r)]
      : [
          r.pick(["/api/events/count-by/day", "/api/events/count-by/resource", "/api/webhooks/filter", "/api/templates/validate"]),
          randomJson(r, 4),
        ];
    const res = await fetch(`${server.url}${path}`, { method: "POST", headers: auth, body: JSON.stringify(body) });
    await res.arrayBuffer();
    note("filter", i, `${path} ${JSON.stringify(body).slice(0, 200)}`, res.status);
  });
  expect(violations).toEqual([]);
});

test("afterwards: the process is alive and serving, logged no unhandled error, and its memory stayed bounded", async () => {
  expect(server.proc.exitCode).toBeNull();
  expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);
  expect((await fetch(`${server.url}${hooks[0]}`, { method: "POST", body: "{}" })).status).toBe(204);
  expect(server.logs().match(/.*(unhandled error|ERROR ).*/g) ?? []).toEqual([]);
  const growth = statusKb("VmHWM") - baselineKb;
  console.log(`fuzz seed ${SEED}: peak memory grew ${Math.round(growth / 1024)} MiB over the idle server's`);
  expect(growth).toBeLessThan(MEMORY_GROWTH_BOUND_KB);
});
