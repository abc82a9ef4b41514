// Live feed benchmark. Run: `npm run build && npx bun bench/feed.ts`. Needs wrk.
// The built binary ingests a webhook under wrk's closed-loop load (50 connections) while 100
// websocket subscribers receive every event. Each round measures the ingestion rate without
// subscribers and then with them; during the second run a probe sender adds timestamped requests,
// whose delivery latency the subscribers measure. On a machine with 2+ CPUs the server is pinned to
// one CPU and the load generators (wrk, the subscribers, this script) to the others, so that the
// subscribers' own work does not pass for the server's cost. Last, in the same run, a bare Bun.serve
// relays the same frame at the same rate to as many websockets: the cost of the fan-out itself,
// which no feed built on this runtime can go below.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, median, startInlet } from "./support.ts";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
// "all": every subscriber follows the whole stream (filter {}). "own": subscriber n follows its own
// resource (bench.sN) and the probes, as 100 people each tailing their own webhook would: the load
// reaches none of them, so this measures the cost of matching 100 different filters per event.
const FILTERS = process.env.BENCH_FILTERS === "own" ? "own" : "all";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = process.env.BENCH_DURATION ?? "10s";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROBES_PER_SECOND = 50;
const TEMPLATE = '{"event":"bench.{{ body.k }}","resource":{"prefect.resource.id":"bench.{{ body.k }}","t":"{{ body.t }}"}}';

const cpus = availableParallelism();
const pin = (cpuList: string, argv: string[]) => (cpus >= 2 && Bun.which("taskset") ? ["taskset", "-c", cpuList, ...argv] : argv);
const SERVER_CPUS = "0";
const LOAD_CPUS = `1-${cpus - 1}`;
if (cpus >= 2) Bun.spawnSync(["taskset", "-pc", LOAD_CPUS, String(process.pid)], { stdout: "ignore" });

/** User and system CPU seconds the process has used so far (Linux /proc). */
function cpuTimes(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function wrk(url: string, script: string): Promise<{ rps: number; non2xx: number }> {
  const proc = Bun.spawn(pin(LOAD_CPUS, ["wrk", "-t2", `-c${CONNECTIONS}`, `-d${DURATION}`, "-s", script, url]), {
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  if (!/Requests\/sec/.test(out)) throw new Error(`wrk failed: ${out}${await new Response(proc.stderr).text()}`);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]), non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) };
}

interface Subscribers {
  received: number;
  /** One frame of the load, as the server sent it (the floor server relays copies of it). */
  sample: string;
  /** Per probe: when it was received, by subscriber (ms on this process's clock). */
  probeReceipts: Map<string, number[]>;
  closes: string[];
  close(): Promise<void>;
}

async function subscribe(wsUrl: string, key: string, count: number): Promise<Subscribers> {
  const subs: Subscribers = { received: 0, sample: "", probeReceipts: new Map(), closes: [], close: async () => {} };
  const filterOf = (n: number) => (FILTERS === "all" ? {} : { any_resource: { id: ["bench.probe", `bench.s${n}`] } });
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      (_, n) =>
        new Promise<WebSocket>((ready, fail) => {
          const ws = new WebSocket(wsUrl, ["prefect"]);
          ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: key }));
          ws.onerror = () => fail(new Error("subscriber failed to connect"));
          ws.onmessage = (e) => {
            const data = e.data as string;
            if (data.startsWith('{"type":"auth_success"')) {
              ws.send(JSON.stringify({ type: "filter", filter: filterOf(n), backfill: false }));
              return ready(ws);
            }
            const now = performance.now();
            subs.received++;
            if (!subs.sample && data.includes('"t":"0"')) subs.sample = data;
            // Only probes are parsed: the load's events are counted, cheaply.
            const at = data.indexOf('"t":"p');
            if (at < 0) return;
            const t = data.slice(at + 5, data.indexOf('"', at + 5));
            let list = subs.probeReceipts.get(t);
            if (!list) subs.probeReceipts.set(t, (list = []));
            list.push(now);
          };
          ws.onclose = (e) => void (e.code !== 1000 && subs.closes.push(`${e.code} ${e.reason}`));
        }),
    ),
  );
  subs.close = async () => {
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((done) => {
            ws.addEventListener("close", () => done());
            ws.close(1000);
          }),
      ),
    );
  };
  // The server subscribes on the filter message; give it a round trip to have done so.
  await Bun.sleep(200);
  return subs;
}

/** Timestamped requests at a steady rate until `stop`; returns send and acknowledgement times by probe id. */
async function probe(hookUrl: string, until: () => boolean) {
  const sent = new Map<string, { sent: number; acked: number }>();
  let n = 0;
  const inflight: Promise<void>[] = [];
  while (!until()) {
    const id = `p${n++}`;
    const record = { sent: performance.now(), acked: NaN };
    sent.set(id, record);
    inflight.push(
      fetch(hookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ k: "probe", t: id }) }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status === 204) record.acked = performance.now();
        },
      ),
    );
    await Bun.sleep(1000 / PROBES_PER_SECOND);
  }
  await Promise.all(inflight);
  return sent;
}

/**
 * The floor of the subscribers' cost: a bare Bun.serve on the server's CPU that does nothing but
 * write `frame` to `count` websockets at `rate` frames a second, in batches every 2 ms (as group
 * commits arrive), corked per socket as the feed does. Returns its CPU seconds per 1000 frames
 * relayed to every subscriber, and the share of the frames the subscribers got.
 */
async function fanOutFloor(frame: string, rate: number, count: number): Promise<{ cpuPerK: number; delivered: number }> {
  const source = `
    const frame = ${JSON.stringify(frame)};
    const sockets = new Set();
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, s) => (s.upgrade(req) ? undefined : new Response(null, { status: 400 })),
      websocket: { open: (ws) => void sockets.add(ws), close: (ws) => void sockets.delete(ws), message() {} } });
    process.stdout.write(server.port + "\\n");
    let owed = 0, last = performance.now();
    setInterval(() => {
      const now = performance.now();
      owed += ((now - last) * ${rate}) / 1000;
      last = now;
      const n = Math.floor(owed);
      owed -= n;
      for (const ws of sockets) ws.cork(() => { for (let i = 0; i < n; i++) ws.send(frame); });
    }, 2);`;
  const proc = Bun.spawn(pin(SERVER_CPUS, [process.execPath, "-e", source]), { stdout: "pipe" });
  const port = new TextDecoder().decode((await proc.stdout.getReader().read()).value).trim();
  let received = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<WebSocket>((open) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
          ws.onopen = () => open(ws);
          ws.onmessage = () => void received++;
        }),
    ),
  );
  await Bun.sleep(500);
  const seconds = parseFloat(DURATION);
  const c0 = cpuTimes(proc.pid);
  const r0 = received;
  await Bun.sleep(seconds * 1000);
  const c1 = cpuTimes(proc.pid);
  const got = received - r0;
  for (const ws of sockets) ws.close();
  proc.kill();
  await proc.exited;
  const frames = rate * seconds;
  return { cpuPerK: ((c1.user + c1.system - c0.user - c0.system) / frames) * 1000, delivered: got / (frames * count) };
}

const work = mkdtempSync(join(tmpdir(), "inlet-feed-bench-"));
const script = join(work, "post.lua");
writeFileSync(script, `wrk.method = "POST"\nwrk.body = '{"k":"load","t":"0"}'\nwrk.headers["Content-Type"] = "application/json"\n`);
const dataDir = join(work, "data");
const created = Bun.spawnSync([BINARY, "service-account", "create", "bench", "--data-dir", dataDir, "-o", "json"]);
const key = JSON.parse(created.stdout.toString()).api_key as string;
const inlet = await startInlet(dataDir, pin(SERVER_CPUS, []));
try {
  const res = await fetch(`${inlet.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", template: TEMPLATE }),
  });
  // The webhook's own url names the configured base URL, which says port 0 here.
  const hookUrl = `${inlet.url}/hooks/${((await res.json()) as { slug: string }).slug}`;
  const wsUrl = `${inlet.url.replace(/^http/, "ws")}/api/events/out`;

  const rounds: { without: number; with: number; cpuWithout: number; cpuWith: number }[] = [];
  const fromSend: number[] = [];
  const fromAck: number[] = [];
  const ingest: number[] = [];
  let sample = "";
  let missing = 0;
  let delivered = 0;
  const closes: string[] = [];
  /** Server CPU seconds per 1000 requests during one wrk run. */
  const measured = async (run: () => Promise<{ rps: number }>) => {
    const c0 = cpuTimes(inlet.proc.pid);
    const r = await run();
    const c1 = cpuTimes(inlet.proc.pid);
    const perK = (cpu: number) => (cpu / (r.rps * parseFloat(DURATION))) * 1000;
    const cpu = c1.user + c1.system - c0.user - c0.system;
    // Below ~100 % the server was not the bottleneck (on 2 CPUs, the subscribers share the load CPU with wrk).
    const busy = cpu / parseFloat(DURATION);
    return { rps: r.rps, busy, cpuPerK: perK(cpu), userPerK: perK(c1.user - c0.user), systemPerK: perK(c1.system - c0.system) };
  };
  for (let round = 1; round <= ROUNDS; round++) {
    const alone = await measured(() => wrk(hookUrl, script));
    const subs = await subscribe(wsUrl, key, SUBSCRIBERS);
    let done = false;
    const probing = probe(hookUrl, () => done);
    const loaded = await measured(() => wrk(hookUrl, script));
    done = true;
    const probes = await probing;
    await Bun.sleep(500); // the last probes' delivery
    for (const [id, p] of probes) {
      const receipts = subs.probeReceipts.get(id) ?? [];
      missing += SUBSCRIBERS - receipts.length;
      if (!Number.isNaN(p.acked)) ingest.push(p.acked - p.sent);
      for (const at of receipts) {
        fromSend.push(at - p.sent);
        if (!Number.isNaN(p.acked)) fromAck.push(at - p.acked);
      }
    }
    delivered += subs.received;
    sample ||= subs.sample;
    closes.push(...subs.closes);
    await subs.close();
    rounds.push({ without: alone.rps, with: loaded.rps, cpuWithout: alone.cpuPerK, cpuWith: loaded.cpuPerK });
    const cpu = (m: typeof alone) =>
      `${m.cpuPerK.toFixed(3)} CPU s per 1000 requests: user ${m.userPerK.toFixed(3)}, system ${m.systemPerK.toFixed(3)}; server busy ${(m.busy * 100).toFixed(0)} %`;
    console.log(
      `round ${round}: without subscribers ${alone.rps.toFixed(0)} req/s (${cpu(alone)})\n         with ${SUBSCRIBERS}: ${loaded.rps.toFixed(0)} req/s (${cpu(loaded)}), ${subs.received} events delivered`,
    );
  }

  const sorted = (xs: number[]) => Float64Array.from(xs).sort();
  const p = (xs: Float64Array) =>
    `p50 ${percentile(xs, 50).toFixed(2)} ms   p99 ${percentile(xs, 99).toFixed(2)} ms   max ${percentile(xs, 100).toFixed(2)} ms`;
  const w = median(rounds.map((r) => r.without));
  const ws = median(rounds.map((r) => r.with));
  const pairedCost = median(rounds.map((r) => (r.without - r.with) / r.without));
  const cpuCost = median(rounds.map((r) => (r.cpuWith - r.cpuWithout) / r.cpuWithout));
  const cpuWithout = median(rounds.map((r) => r.cpuWithout));
  // The floor is the cost of relaying the load to every subscriber: only when they all receive it.
  const floor = FILTERS === "all" && sample ? await fanOutFloor(sample, ws, SUBSCRIBERS) : null;
  console.log(`
Live feed benchmark: ${SUBSCRIBERS} websocket subscribers (${FILTERS === "all" ? "filter {}" : "each following its own resource and the probes"}), wrk ${CONNECTIONS} connections × ${DURATION}, ${ROUNDS} rounds
  CPUs: ${cpus}${cpus >= 2 ? ` (server pinned to CPU ${SERVER_CPUS}, load generators to ${LOAD_CPUS})` : " (no pinning)"}
  ingestion without subscribers (median): ${w.toFixed(0)} req/s
  ingestion with subscribers (median):    ${ws.toFixed(0)} req/s
  cost, median of per-round pairs:        ${(pairedCost * 100).toFixed(1)} % of the rate, ${(cpuCost * 100).toFixed(1)} % more server CPU per request
  events delivered:                       ${delivered} (${(delivered / SUBSCRIBERS).toFixed(0)} per subscriber)
  probe requests (${PROBES_PER_SECOND}/s during the loaded runs; ${fromSend.length} deliveries):
    send → 204 (ingestion, includes the commit's fsync):  ${p(sorted(ingest))}
    send → subscriber:                                    ${p(sorted(fromSend))}
    sender's 204 → subscriber (both follow the commit):   ${p(sorted(fromAck))}
${
  floor
    ? `  floor: a bare Bun.serve relaying the same ${sample.length}-byte frame at ${ws.toFixed(0)}/s to ${SUBSCRIBERS} websockets
    (nothing else; ${(floor.delivered * 100).toFixed(0)} % of the frames received) uses ${(floor.cpuPerK * 1000).toFixed(1)} ms CPU per 1000 events,
    ${((floor.cpuPerK / cpuWithout) * 100).toFixed(0)} % of inlet's ${(cpuWithout * 1000).toFixed(1)} ms per 1000 requests without subscribers
`
    : ""
}  probe deliveries missing: ${missing}; subscribers closed abnormally: ${closes.length}${closes.length ? ` (${[...new Set(closes)].join("; ")})` : ""}`);
} finally {
  inlet.proc.kill("SIGTERM");
  await inlet.proc.exited;
  rmSync(work, { recursive: true, force: true });
}
