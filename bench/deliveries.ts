// Benchmark of the delivery worker. Run: `npx bun bench/deliveries.ts` (needs wrk).
// Inlet runs in this process (startServer: the real server, its worker and group commit); the
// receiver answering 200 runs in a child process, and wrk loads a hook from outside. Each round
// measures, in the same run:
//   1. ingestion alone (wrk for BENCH_DURATION);
//   2. 1,000 firings delivered with no ingestion: deliveries/s and p50/p99 from firing to delivered;
//   3. ingestion again while 1,000 firings, recorded just before, are delivered (recording them is
//      the trigger engine's cost, not the deliveries', so it is kept out of the window).
// It prints each round and the medians; the target is that deliveries cost ingestion ≤ 10 %.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";
import { atomically } from "../src/db/transaction.ts";
import { buildFiring, storeAutomation } from "../test/support/firings.ts";
import { median } from "./support.ts";

const FIRINGS = Number(process.env.BENCH_FIRINGS ?? 1000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const work = mkdtempSync(join(tmpdir(), "inlet-bench-deliveries-"));
const script = join(work, "post.lua");
writeFileSync(
  script,
  `wrk.method = "POST"\nwrk.body = '{"action": "opened", "id": 7}'\nwrk.headers["Content-Type"] = "application/json"\n`,
);

// The receiver: a separate process, so that answering costs this process nothing.
const receiverProc = Bun.spawn(
  [
    process.execPath,
    "-e",
    `const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (r) => { await r.arrayBuffer(); return new Response("ok"); } }); console.log(s.port);`,
  ],
  { stdout: "pipe", stderr: "inherit" },
);

/** The receiver prints its port on its first line. */
async function receiverUrl(): Promise<string> {
  const reader = (receiverProc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the receiver did not start");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return `http://127.0.0.1:${Number(text.trim())}/in`;
}

const config = resolveConfig({ host: "127.0.0.1", port: "0", "data-dir": join(work, "data"), "log-level": "silent" }, {});
const server = await startServer(config, silentLogger);
const { ctx } = server;
const hook = ctx.webhooks.create({
  name: "bench",
  description: "",
  template: '{"event": "bench.{{ body.action }}", "resource": {"prefect.resource.id": "bench.{{ body.id }}"}}',
  enabled: true,
  serviceAccountId: null,
});
const hookUrl = `${server.url}/hooks/${hook.slug}`;
const { destination } = ctx.destinations.create({
  name: "bench receiver",
  type: "webhook",
  enabled: true,
  config: { method: "POST", url: await receiverUrl(), body_template: null },
  secrets: {},
});
const automation = storeAutomation(ctx, [{ type: "call-webhook", destination_id: destination.id, payload: '{"n": "{{ firing.id }}"}' }]);

async function wrk(seconds: number): Promise<number> {
  const proc = Bun.spawn(["wrk", "-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, "-s", script, hookUrl], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0) console.error(`  (wrk saw ${non2xx} non-2xx answers)`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
}

/** Records `n` firings in one transaction, as the engine records those one batch of events brings. */
async function fireMany(n: number): Promise<{ firstAt: number }> {
  const firstAt = Date.now();
  atomically(ctx.db, () => {
    for (let i = 0; i < n; i++) ctx.outbox.enqueue(buildFiring(automation, firstAt, null));
  });
  await ctx.staged.flush(ctx.events);
  ctx.outbox.notify();
  return { firstAt };
}

/** Waits until every delivery is delivered; deliveries/s (first firing → last delivered) and latency percentiles. */
async function settle(firstAt: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  for (;;) {
    const pending = ctx.db.$client.query("SELECT count(*) AS n FROM deliveries WHERE status != 'delivered'").get() as { n: number };
    if (pending.n === 0) break;
    await Bun.sleep(20);
  }
  const rows = ctx.db.$client.query("SELECT created, updated FROM deliveries").all() as { created: number; updated: number }[];
  const latencies = rows.map((r) => r.updated - r.created).sort((a, b) => a - b);
  const last = Math.max(...rows.map((r) => r.updated));
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]!;
  return { perSecond: rows.length / ((last - firstAt) / 1000), p50: pct(50), p99: pct(99) };
}

const clear = () => {
  ctx.db.$client.run("DELETE FROM delivery_attempts");
  ctx.db.$client.run("DELETE FROM deliveries");
};

const alone: number[] = [];
const withDeliveries: number[] = [];
const quiet: { perSecond: number; p50: number; p99: number }[] = [];
const loaded: { perSecond: number; p50: number; p99: number }[] = [];
/** Deliveries recorded per second while wrk ran (the worker's pace while it gives way). */
const duringWrk: number[] = [];
console.log(`${FIRINGS} firings per run, wrk -c${CONNECTIONS} for ${DURATION_S} s, ${ROUNDS} rounds`);
for (let round = 1; round <= ROUNDS; round++) {
  alone.push(await wrk(DURATION_S));
  clear();
  const q = await fireMany(FIRINGS);
  quiet.push(await settle(q.firstAt));
  clear();
  const started = await fireMany(FIRINGS);
  const wrkFrom = Date.now();
  const rps = await wrk(DURATION_S);
  const wrkTo = Date.now();
  withDeliveries.push(rps);
  const during = ctx.db.$client
    .query("SELECT count(*) AS n FROM deliveries WHERE status = 'delivered' AND updated BETWEEN ? AND ?")
    .get(wrkFrom, wrkTo) as { n: number };
  duringWrk.push(during.n / ((wrkTo - wrkFrom) / 1000));
  loaded.push(await settle(started.firstAt));
  clear();
  console.log(
    `round ${round}: ingestion alone ${alone.at(-1)!.toFixed(0)} req/s, with deliveries ${rps.toFixed(0)} req/s; ` +
      `deliveries alone ${quiet.at(-1)!.perSecond.toFixed(0)}/s p99 ${quiet.at(-1)!.p99} ms; ` +
      `under ingestion ${loaded.at(-1)!.perSecond.toFixed(0)}/s (${duringWrk.at(-1)!.toFixed(0)}/s while wrk ran) p99 ${loaded.at(-1)!.p99} ms`,
  );
}
const m = (xs: number[]) => median(xs);
const cost = 1 - m(withDeliveries) / m(alone);
// The machine's load drifts between a round's two wrk runs; each round's own ratio is steadier.
const pairedCost = m(alone.map((a, i) => 1 - withDeliveries[i]! / a));
console.log(`\nmedians:
  ingestion alone:               ${m(alone).toFixed(0)} req/s
  ingestion while delivering:    ${m(withDeliveries).toFixed(0)} req/s (${(cost * 100).toFixed(1)} % less; median of each round's own: ${(pairedCost * 100).toFixed(1)} %; target ≤ 10 %)
  deliveries, no ingestion:      ${m(quiet.map((x) => x.perSecond)).toFixed(0)}/s, firing → delivered p50 ${m(quiet.map((x) => x.p50))} ms, p99 ${m(quiet.map((x) => x.p99))} ms
  deliveries, under ingestion:   ${m(duringWrk).toFixed(0)}/s while wrk ran, ${m(loaded.map((x) => x.perSecond)).toFixed(0)}/s to the last; firing → delivered p50 ${m(loaded.map((x) => x.p50))} ms, p99 ${m(loaded.map((x) => x.p99))} ms`);

await server.stop();
receiverProc.kill();
rmSync(work, { recursive: true, force: true });
