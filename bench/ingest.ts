// Load benchmark of durable ingestion. Run: `npm run build && npx bun bench/ingest.ts`.
// Needs wrk (`apt-get install wrk`). In the same run it measures a bare Bun.serve answering 204 as
// the baseline, then the built binary ingesting Prefect's dynamic form example through a webhook,
// and checks that every 204 corresponds to exactly one stored event. It also prints the CPU each
// request costs the server and wrk (they share the machine's CPUs), against the CPU per request that
// 40 % of the bare rate would leave them, and two storage floors (bench/floor-server.ts): servers
// that store the same event durably and do nothing else, to show what storage alone allows.
// Verification: a 7 KB GitHub delivery to two identical webhooks, one checking its
// X-Hub-Signature-256 and one not, in the same rounds; plus the CPU of one check, in process.
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, median, startInlet } from "./support.ts";
import { PREFECT_DYNAMIC } from "../test/fixtures/templates/prefect.ts";
import { createHmac } from "node:crypto";
import githubExamples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { verifySignature } from "../src/verification/verify.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = process.env.BENCH_DURATION ?? "10s";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Another build of inlet (say, main before a change) measured in the same rounds, for a before/after. */
const COMPARE_BINARY = process.env.BENCH_COMPARE_BINARY;
const BODY = "model=recommendations&friendly_name=Recommendations%20[Products]";

interface WrkResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU seconds used by wrk itself, and by the server under test, during the run. */
  wrkCpu: number;
  serverCpu: number;
}

/** User + system CPU seconds a process has used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function parseMs(s: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(s)!;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
}

async function wrk(url: string, script: string, serverPid: number): Promise<WrkResult> {
  const server0 = cpuSeconds(serverPid);
  const proc = Bun.spawn(["wrk", "-t2", `-c${CONNECTIONS}`, `-d${DURATION}`, "--latency", "-s", script, url], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const serverCpu = cpuSeconds(serverPid) - server0;
  const wrkCpu = Number(proc.resourceUsage()!.cpuTime.total) / 1e6;
  const latency = (p: string) => parseMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)![1]!);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: Number(/(\d+) requests in/.exec(out)![1]),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p50: latency("50"),
    p99: latency("99"),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: errors
      ? errors
          .slice(1)
          .map(Number)
          .reduce((a, b) => a + b, 0)
      : 0,
    wrkCpu,
    serverCpu,
  };
}

/** A closed-loop client with a fixed request count, so that every response is read: exact accounting. */
async function exactRun(url: string, total: number): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const res = await fetch(url, { method: "POST", body: BODY, headers: { "content-type": "application/x-www-form-urlencoded" } });
      if (res.status === 204) ok++;
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return ok;
}

const work = mkdtempSync(join(tmpdir(), "inlet-bench-"));
const script = join(work, "post.lua");
writeFileSync(script, `wrk.method = "POST"\nwrk.body = "${BODY}"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`);

/** Starts a server that prints its port on its first line of output; each runs in its own process, like inlet. */
async function startServer(args: string[]): Promise<{ url: string; proc: ReturnType<typeof Bun.spawn> }> {
  const proc = Bun.spawn([process.execPath, ...args], { stdout: "pipe" });
  const first = await proc.stdout.getReader().read();
  return { url: `http://127.0.0.1:${new TextDecoder().decode(first.value).trim()}/`, proc };
}

const baseline = await startServer([
  "-e",
  "const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(null, { status: 204 }) }); process.stdout.write(String(s.port) + '\\n');",
]);
const bareUrl = baseline.url;
// Storage floors (bench/floor-server.ts): the same event stored through the same group commit,
// with no framework, template or lookup; once in one unindexed table, once in Inlet's schema.
const floorScript = join(import.meta.dir, "floor-server.ts");
const appendFloor = await startServer([floorScript, "append"]);
const schemaFloor = await startServer([floorScript, "schema"]);

/** Starts a build of inlet on its own data directory with the bench's webhook; returns its hook URL. */
async function startBench(binary: string, dataDir: string, flags: string[] = []) {
  const created = Bun.spawnSync([binary, "service-account", "create", "bench", "--data-dir", dataDir, "-o", "json"]);
  const key = JSON.parse(created.stdout.toString()).api_key as string;
  const server = await startInlet(dataDir, [], binary, flags);
  const res = await fetch(`${server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", template: PREFECT_DYNAMIC }),
  });
  return { ...server, key, hookUrl: ((await res.json()) as { url: string }).url };
}

// ---- verification: the same GitHub delivery to a plain and a verified webhook ----
const GITHUB_SECRET = "bench github secret";
const GITHUB_TEMPLATE =
  '{"event": "github.{{ headers[\'x-github-event\'] }}", "resource": {"prefect.resource.id": "github.repo.{{ body.repository.full_name }}"}}';
const githubBody = JSON.stringify(
  (githubExamples as unknown as { name: string; examples: unknown[] }[]).find((e) => e.name === "commit_comment")!.examples[0],
);
const githubSignature = `sha256=${createHmac("sha256", GITHUB_SECRET).update(githubBody).digest("hex")}`;
const luaScript = (headers: Record<string, string>) =>
  `wrk.method = "POST"\nwrk.body = [==[${githubBody}]==]\n${Object.entries(headers)
    .map(([k, v]) => `wrk.headers["${k}"] = "${v}"`)
    .join("\n")}\n`;

async function githubHook(server: { url: string; key: string }, verification: unknown): Promise<string> {
  const res = await fetch(`${server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: verification ? "github-verified" : "github-plain", template: GITHUB_TEMPLATE, verification }),
  });
  return ((await res.json()) as { url: string }).url;
}

/**
 * Microseconds of CPU (user + system, as the server's CPU per request is counted) that one GitHub
 * check takes on this body, in process: median of 5 batches.
 */
function verifyMicros(): number {
  const v = { scheme: "github" as const, secrets: [GITHUB_SECRET] };
  const headers = new Headers({ "x-hub-signature-256": githubSignature });
  const bytes = new TextEncoder().encode(githubBody);
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const start = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) if (!verifySignature(v, headers, bytes, Date.now()).ok) throw new Error("bench signature refused");
    const used = process.cpuUsage(start);
    batches.push((used.user + used.system) / 20_000);
  }
  return median(batches);
}

const dataDir = join(work, "data");
const inlet = await startBench(BINARY, dataDir);
const hookUrl = inlet.hookUrl;
const compare = COMPARE_BINARY ? await startBench(COMPARE_BINARY, join(work, "compare-data")) : null;
// The same build with the requests behind events not kept: what keeping them costs.
const rawOff = await startBench(BINARY, join(work, "raw-off-data"), ["--raw-retention-days", "0"]);
const rawOffRuns: WrkResult[] = [];
const compareRuns: WrkResult[] = [];
const plainGithubUrl = await githubHook(inlet, undefined);
const signedGithubUrl = await githubHook(inlet, { scheme: "github", secret: GITHUB_SECRET });
const githubHeaders = { "Content-Type": "application/json", "X-GitHub-Event": "commit_comment" };
const plainScript = join(work, "github-plain.lua");
const signedScript = join(work, "github-signed.lua");
writeFileSync(plainScript, luaScript(githubHeaders));
writeFileSync(signedScript, luaScript({ ...githubHeaders, "X-Hub-Signature-256": githubSignature }));
const plainRuns: WrkResult[] = [];
const signedRuns: WrkResult[] = [];

const bareRuns: WrkResult[] = [];
const appendRuns: WrkResult[] = [];
const schemaRuns: WrkResult[] = [];
const inletRuns: WrkResult[] = [];
const db = new Database(join(dataDir, "inlet.db"), { readonly: true });
const stored = () => (db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
/** Bytes a kept request takes in its row (method, query, headers, body), and the whole table's pages per request. */
function rawBytes(): string {
  const row = db
    .query("SELECT count(*) AS n, avg(length(method) + length(query) + length(headers) + length(body)) AS bytes FROM raw_requests")
    .get() as { n: number; bytes: number };
  const pages = db.query("SELECT sum(pgsize) AS size FROM dbstat WHERE name LIKE '%raw_requests%'").get() as { size: number | null };
  return `${row.bytes?.toFixed(0) ?? 0} bytes of data per request; the table and its index take ${pages.size && row.n ? (pages.size / row.n).toFixed(0) : "?"} bytes per request on disk (${row.n} requests)`;
}
let accounting = "";
for (let round = 1; round <= ROUNDS; round++) {
  bareRuns.push(await wrk(bareUrl, script, baseline.proc.pid));
  appendRuns.push(await wrk(appendFloor.url, script, appendFloor.proc.pid));
  schemaRuns.push(await wrk(schemaFloor.url, script, schemaFloor.proc.pid));
  const before = stored();
  const run = await wrk(hookUrl, script, inlet.proc.pid);
  inletRuns.push(run);
  await Bun.sleep(500);
  const added = stored() - before;
  const acknowledged = run.requests - run.non2xx;
  accounting += `  round ${round}: ${acknowledged} × 204 read by wrk, ${added} stored; ${added - acknowledged} in flight when wrk stopped (≤ ${CONNECTIONS} possible), ${run.non2xx} non-2xx, ${run.errors} socket errors\n`;
  if (compare) compareRuns.push(await wrk(compare.hookUrl, script, compare.proc.pid));
  rawOffRuns.push(await wrk(rawOff.hookUrl, script, rawOff.proc.pid));
  // Alternating which goes first, so that neither always runs on a warmer (or fuller) server.
  const pair = [
    async () => plainRuns.push(await wrk(plainGithubUrl, plainScript, inlet.proc.pid)),
    async () => signedRuns.push(await wrk(signedGithubUrl, signedScript, inlet.proc.pid)),
  ];
  for (const step of round % 2 ? pair : pair.reverse()) await step();
  await Bun.sleep(500); // requests wrk abandoned finish committing before anything is counted again
  const signedRun = signedRuns.at(-1)!;
  if (signedRun.non2xx > 0) throw new Error(`the verified webhook refused ${signedRun.non2xx} signed requests`);
  console.log(
    `round ${round}: bare ${bareRuns.at(-1)!.rps.toFixed(0)}, append floor ${appendRuns.at(-1)!.rps.toFixed(0)}, schema floor ${schemaRuns.at(-1)!.rps.toFixed(0)}, inlet ${run.rps.toFixed(0)}${compare ? `, compared build ${compareRuns.at(-1)!.rps.toFixed(0)}` : ""} req/s`,
  );
}

const exactTotal = 5000;
const beforeExact = stored();
const exactOk = await exactRun(hookUrl, exactTotal);
await Bun.sleep(200);
const exactStored = stored() - beforeExact;

const bareRps = median(bareRuns.map((r) => r.rps));
const inletRps = median(inletRuns.map((r) => r.rps));
const appendRps = median(appendRuns.map((r) => r.rps));
const schemaRps = median(schemaRuns.map((r) => r.rps));
const pct = (rps: number) => `${((rps / bareRps) * 100).toFixed(1)} %`;
// Where the CPU goes, in µs per request: wrk and the server share this machine's CPUs.
const perRequest = (runs: WrkResult[], cpu: (r: WrkResult) => number) => median(runs.map((r) => (cpu(r) / r.requests) * 1e6));
const cpus = availableParallelism();
const oneCheck = verifyMicros();
const targetRps = 0.4 * bareRps;
const budget = (cpus / targetRps) * 1e6;
console.log(`
Durable ingestion benchmark (${CONNECTIONS} connections, ${DURATION} per run, median of ${ROUNDS} rounds, synchronous=FULL)
  bare Bun.serve 204:   ${bareRps.toFixed(0)} req/s   p50 ${median(bareRuns.map((r) => r.p50)).toFixed(2)} ms   p99 ${median(bareRuns.map((r) => r.p99)).toFixed(2)} ms
  inlet /hooks (form):  ${inletRps.toFixed(0)} req/s   p50 ${median(inletRuns.map((r) => r.p50)).toFixed(2)} ms   p99 ${median(inletRuns.map((r) => r.p99)).toFixed(2)} ms
  ratio inlet / bare:   ${((inletRps / bareRps) * 100).toFixed(1)} %
Storage floors: the same event, durably stored through the same group commit, with no framework, template or lookup
  one unindexed table:  ${appendRps.toFixed(0)} req/s   ${pct(appendRps)} of bare   p99 ${median(appendRuns.map((r) => r.p99)).toFixed(2)} ms   CPU ${perRequest(appendRuns, (r) => r.serverCpu).toFixed(1)} µs/request
  Inlet's schema:       ${schemaRps.toFixed(0)} req/s   ${pct(schemaRps)} of bare   p99 ${median(schemaRuns.map((r) => r.p99)).toFixed(2)} ms   CPU ${perRequest(schemaRuns, (r) => r.serverCpu).toFixed(1)} µs/request
  inlet reaches ${((inletRps / schemaRps) * 100).toFixed(1)} % of the floor with its own schema
CPU per request (user + system, µs): bare server ${perRequest(bareRuns, (r) => r.serverCpu).toFixed(1)}, wrk ${perRequest(bareRuns, (r) => r.wrkCpu).toFixed(1)} (bare) / ${perRequest(inletRuns, (r) => r.wrkCpu).toFixed(1)} (inlet), inlet ${perRequest(inletRuns, (r) => r.serverCpu).toFixed(1)}
  40 % of bare is ${targetRps.toFixed(0)} req/s: on ${cpus} CPUs that leaves ${budget.toFixed(1)} µs of CPU per request for wrk and the server together
Verification (a ${githubBody.length}-byte GitHub delivery, same template, same rounds):
  not verified:         ${median(plainRuns.map((r) => r.rps)).toFixed(0)} req/s   p99 ${median(plainRuns.map((r) => r.p99)).toFixed(2)} ms   CPU ${perRequest(plainRuns, (r) => r.serverCpu).toFixed(1)} µs/request
  X-Hub-Signature-256:  ${median(signedRuns.map((r) => r.rps)).toFixed(0)} req/s   p99 ${median(signedRuns.map((r) => r.p99)).toFixed(2)} ms   CPU ${perRequest(signedRuns, (r) => r.serverCpu).toFixed(1)} µs/request
  throughput cost:      ${((1 - median(signedRuns.map((r) => r.rps)) / median(plainRuns.map((r) => r.rps))) * 100).toFixed(1)} % (noise included: compare with the spread of the rounds)
  one check in process: ${oneCheck.toFixed(1)} µs = ${((oneCheck / perRequest(plainRuns, (r) => r.serverCpu)) * 100).toFixed(1)} % of the server's CPU per plain request
Requests kept with their events (--raw-retention-days 7, the default, vs 0), same rounds:
  kept:                 ${inletRps.toFixed(0)} req/s   p99 ${median(inletRuns.map((r) => r.p99)).toFixed(2)} ms   CPU ${perRequest(inletRuns, (r) => r.serverCpu).toFixed(1)} µs/request
  not kept:             ${median(rawOffRuns.map((r) => r.rps)).toFixed(0)} req/s   p99 ${median(rawOffRuns.map((r) => r.p99)).toFixed(2)} ms   CPU ${perRequest(rawOffRuns, (r) => r.serverCpu).toFixed(1)} µs/request
  throughput cost:      ${((1 - inletRps / median(rawOffRuns.map((r) => r.rps))) * 100).toFixed(1)} %
  storage:              ${rawBytes()}
${compare ? `Compared build (${COMPARE_BINARY}): ${median(compareRuns.map((r) => r.rps)).toFixed(0)} req/s   p99 ${median(compareRuns.map((r) => r.p99)).toFixed(2)} ms   this build / compared: ${((inletRps / median(compareRuns.map((r) => r.rps))) * 100).toFixed(1)} %\n` : ""}Accounting (wrk abandons requests still in flight at its deadline):
${accounting}Exact run (closed loop, ${exactTotal} requests, every response read): ${exactOk} × 204, ${exactStored} stored → ${exactOk === exactStored ? "equal" : "MISMATCH"}`);

db.close();
for (const server of compare ? [inlet, rawOff, compare] : [inlet, rawOff]) {
  server.proc.kill("SIGTERM");
  await server.proc.exited;
}
for (const server of [baseline, appendFloor, schemaFloor]) server.proc.kill();
rmSync(work, { recursive: true, force: true });
