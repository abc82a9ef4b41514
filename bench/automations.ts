// Benchmark of the automation engine. Run: `npx bun bench/automations.ts` (needs wrk).
// BENCH_PART=evaluation runs part 2 only.
// 1. Ingestion, in the same rounds, on two servers (`bun src/main.ts serve`, each on its own data
//    directory): one with no automations, one with 1,000 (100 that match the traffic, 900 that do
//    not). Each round runs wrk against both; medians are compared. After each run on the second
//    server, the evaluation lag: how many events were still to evaluate when wrk stopped, and how
//    long the engine took to reach the last one.
// 2. Evaluation time per event, in process, the engine running while events are written: with no
//    automations, with the 900 unrelated ones only, and with all 1,000.
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolveConfig } from "../src/config.ts";
import { createContext } from "../src/context.ts";
import { openMemoryDatabase } from "../src/db/open.ts";
import type { AutomationCore } from "../src/automations/model.ts";
import { PREFECT_DYNAMIC } from "../test/fixtures/templates/prefect.ts";
import { median, startInlet } from "./support.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = process.env.BENCH_DURATION ?? "5s";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 20_000);
const MAIN = resolve(import.meta.dir, "../src/main.ts");
const BODY = "model=recommendations&friendly_name=Recommendations%20[Products]";

/** The automations: `matching` of them see every event of the traffic (model.refreshed), the rest never. */
export function benchAutomations(matching: number, unrelated: number): AutomationCore[] {
  const core = (name: string, trigger: Record<string, unknown>): AutomationCore =>
    ({
      name,
      description: "",
      enabled: true,
      tags: [],
      trigger: {
        type: "event",
        id: crypto.randomUUID(),
        match: {},
        match_related: {},
        after: [],
        expect: [],
        for_each: [],
        threshold: 1,
        within: 0,
        ...trigger,
      },
      actions: [],
      actions_on_trigger: [],
      actions_on_resolve: [],
    }) as unknown as AutomationCore;
  const list: AutomationCore[] = [];
  for (let i = 0; i < matching; i++) {
    // Half count towards a threshold the traffic never reaches, half watch for silence that never comes.
    list.push(
      i % 2 === 0
        ? core(`matching ${i}`, {
            expect: ["model.refreshed"],
            match: { "prefect.resource.id": "product.models.*" },
            for_each: ["prefect.resource.id"],
            posture: "Reactive",
            threshold: 1_000_000,
            within: 3600,
          })
        : core(`matching ${i}`, { expect: ["model.*"], posture: "Proactive", within: 3600 }),
    );
  }
  for (let i = 0; i < unrelated; i++) {
    const kind = i % 3;
    list.push(
      kind === 0
        ? core(`unrelated ${i}`, { expect: [`github.push.${i}`], posture: "Reactive" })
        : kind === 1
          ? core(`unrelated ${i}`, { expect: [`stripe.${i}.*`], threshold: 5, within: 600 })
          : core(`unrelated ${i}`, { match: { "prefect.resource.id": `cron.job.${i}` }, posture: "Proactive", within: 86_400 }),
    );
  }
  return list;
}

// ---- 2. evaluation time per event, in process ----

/**
 * The engine's time per event as ingestion sees it: events written through the group commit in
 * chunks, as requests would, the engine running; its busy time (evaluation and its transactions,
 * on the thread that also answers requests) over the events it took.
 */
async function evaluationPerEvent(
  automations: AutomationCore[],
): Promise<{ perEvent: number; recordPerEvent: number; evaluations: number; batches: number }> {
  const ctx = createContext({ config: resolveConfig({ "data-dir": "/nonexistent-bench-dir" }, {}), db: openMemoryDatabase() });
  for (const a of automations) ctx.automations.create(a);
  ctx.db.$client.run("DELETE FROM staged_events");
  ctx.engine.start();
  await ctx.engine.tick();
  const startEvaluations = ctx.engine.evaluations;
  const start = { ...ctx.engine.stats };
  for (let done = 0; done < BACKLOG; done += 50) {
    const writes: Promise<unknown>[] = [];
    for (let i = done; i < done + 50; i++) {
      const now = new Date().toISOString();
      const event = "model.refreshed";
      const resource = { "prefect.resource.id": `product.models.m${i % 20}`, "prefect.resource.name": "Recommendations" };
      writes.push(
        ctx.events.write({
          id: Bun.randomUUIDv7(),
          occurred: now,
          received: now,
          event,
          resource,
          related: [],
          payload: {},
          follows: null,
        }),
      );
    }
    await Promise.all(writes);
  }
  await ctx.engine.tick();
  const { stats } = ctx.engine;
  const result = {
    perEvent: ((stats.busyMs - start.busyMs) * 1000) / (stats.events - start.events),
    recordPerEvent: ((stats.recordMs - start.recordMs) * 1000) / (stats.events - start.events),
    evaluations: ctx.engine.evaluations - startEvaluations,
    batches: stats.batches - start.batches,
  };
  await ctx.stop();
  return result;
}

// ---- 1. ingestion with and without automations ----

interface Run {
  rps: number;
  p99: number;
  /** The server's CPU (user + system) per request, µs: steadier than req/s on a shared machine. */
  cpuPerRequest: number;
}

/** User + system CPU seconds a process has used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function wrk(url: string, script: string, pid: number, settled: () => Promise<void>): Promise<Run> {
  const cpu0 = cpuSeconds(pid);
  const proc = Bun.spawn(["wrk", "-t2", `-c${CONNECTIONS}`, `-d${DURATION}`, "--latency", "-s", script, url], { stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  // The engine's evaluation of the run's events counts too, even when it finishes after wrk.
  await settled();
  const cpu = cpuSeconds(pid) - cpu0;
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(out)!;
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p99: Number(p99[1]) * (p99[2] === "us" ? 0.001 : p99[2] === "s" ? 1000 : 1),
    cpuPerRequest: (cpu / Number(/(\d+) requests in/.exec(out)![1])) * 1e6,
  };
}

async function startServer(dataDir: string, automations: AutomationCore[]) {
  const created = Bun.spawnSync([process.execPath, MAIN, "service-account", "create", "bench", "--data-dir", dataDir, "-o", "json"]);
  const key = JSON.parse(created.stdout.toString()).api_key as string;
  const server = await startInlet(dataDir, [process.execPath], MAIN);
  const api = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  for (const a of automations) {
    const res = await api("/api/automations/", a);
    if (res.status !== 201) throw new Error(`automation refused: ${await res.text()}`);
  }
  const hook = (await (await api("/api/webhooks/", { name: "bench", template: PREFECT_DYNAMIC })).json()) as { url: string };
  const db = new Database(join(dataDir, "inlet.db"), { readonly: true });
  return { ...server, hookUrl: hook.url, db };
}

/** Part 1; returns its report. */
async function ingestion(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), "inlet-bench-automations-"));
  const script = join(work, "post.lua");
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = "${BODY}"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`);

  const none = await startServer(join(work, "none"), []);
  const thousand = await startServer(join(work, "thousand"), benchAutomations(100, 900));
  const lastSeq = (db: Database) => (db.query("SELECT coalesce(max(seq), 0) AS n FROM events").get() as { n: number }).n;
  const watermark = (db: Database) =>
    (db.query("SELECT coalesce(max(value), 0) AS n FROM progress WHERE name = 'automations'").get() as { n: number }).n;

  const noneRuns: Run[] = [];
  const thousandRuns: Run[] = [];
  const backlogs: number[] = [];
  const catchUps: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so that neither always runs on a warmer (or busier) machine.
    const order = round % 2 === 1 ? [none, thousand] : [thousand, none];
    for (const server of order) {
      const settled = async () => {
        const stoppedAt = performance.now();
        const target = lastSeq(server.db);
        if (server === thousand) backlogs.push(target - watermark(server.db));
        while (watermark(server.db) < target) await Bun.sleep(1);
        if (server === thousand) catchUps.push(performance.now() - stoppedAt);
      };
      (server === none ? noneRuns : thousandRuns).push(await wrk(server.hookUrl, script, server.proc.pid, settled));
    }
    console.log(
      `round ${round}: 0 automations ${noneRuns.at(-1)!.rps.toFixed(0)} req/s, 1,000 automations ${thousandRuns.at(-1)!.rps.toFixed(0)} req/s`,
    );
  }

  for (const server of [none, thousand]) {
    server.db.close();
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  }
  rmSync(work, { recursive: true, force: true });
  const baseRps = median(noneRuns.map((r) => r.rps));
  const withRps = median(thousandRuns.map((r) => r.rps));
  const baseCpu = median(noneRuns.map((r) => r.cpuPerRequest));
  const withCpu = median(thousandRuns.map((r) => r.cpuPerRequest));
  return `Ingestion (POST /hooks, Prefect's dynamic form example; the 100 matching automations see every event), ${CONNECTIONS} connections, ${DURATION} per run, median of ${ROUNDS} rounds
  0 automations:       ${baseRps.toFixed(0)} req/s   p99 ${median(noneRuns.map((r) => r.p99)).toFixed(2)} ms
  1,000 automations:   ${withRps.toFixed(0)} req/s   p99 ${median(thousandRuns.map((r) => r.p99)).toFixed(2)} ms
  cost of 1,000:       ${(((baseRps - withRps) / baseRps) * 100).toFixed(1)} % of the rate (target: at most 10 %)
  server CPU/request:  ${baseCpu.toFixed(0)} µs with 0, ${withCpu.toFixed(0)} µs with 1,000: +${(((withCpu - baseCpu) / baseCpu) * 100).toFixed(1)} % (evaluation included)
Evaluation lag after each run on 1,000 automations: events not yet evaluated when wrk stopped (median ${median(backlogs)}, max ${Math.max(...backlogs)}), time to evaluate them (median ${median(catchUps).toFixed(0)} ms, max ${Math.max(...catchUps).toFixed(0)} ms)
`;
}

const report = process.env.BENCH_PART === "evaluation" ? "" : await ingestion();
const empty = await evaluationPerEvent([]);
const unrelatedOnly = await evaluationPerEvent(benchAutomations(0, 900));
const all = await evaluationPerEvent(benchAutomations(100, 900));

console.log(`
Automation engine benchmark
${report}Evaluation time per event (${BACKLOG} events written in process 50 at a time, the engine running; the CPU time of its batches, transactions included)
  0 automations:             ${empty.perEvent.toFixed(2)} µs/event   (${empty.batches} batches)
  900 unrelated only:        ${unrelatedOnly.perEvent.toFixed(2)} µs/event   trigger evaluations: ${unrelatedOnly.evaluations}   (${unrelatedOnly.batches} batches)
  100 matching + 900 others: ${all.perEvent.toFixed(2)} µs/event   trigger evaluations: ${all.evaluations} (${(all.perEvent / 100).toFixed(2)} µs per candidate trigger)   (${all.batches} batches)
  of which writing state, watermark and firings: ${empty.recordPerEvent.toFixed(2)} / ${unrelatedOnly.recordPerEvent.toFixed(2)} / ${all.recordPerEvent.toFixed(2)} µs/event`);
