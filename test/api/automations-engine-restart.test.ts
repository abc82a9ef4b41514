// The engine across restarts: trigger state, the watermark and deadlines survive a stop and a
// kill -9 of a served process; an event is evaluated once whatever happened; a deadline that came
// while Inlet was stopped fires once at start-up.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { databasePath } from "../../src/config.ts";
import { fixedClock } from "../support/app.ts";
import { openOn } from "../support/automation-engine.ts";
import { tempDir } from "../support/cli.ts";
import { startServeProcess, type ServeProcess } from "../support/serve.ts";
import { waitUntil } from "../support/wait.ts";

const dirs: { remove(): void }[] = [];
const running: ServeProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop("SIGKILL");
  for (const d of dirs) d.remove();
});

function dataDir(): string {
  const d = tempDir("inlet-engine-");
  dirs.push(d);
  return d.path;
}

type Opened = ReturnType<typeof openOn>;

async function call(o: Opened, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${o.key}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return o.app.handle(
    new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
}

async function createAutomation(o: Opened, trigger: Record<string, unknown>): Promise<string> {
  const res = await call(o, "POST", "/api/automations/", { name: "restart", trigger, actions: [{ type: "do-nothing" }] });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function post(o: Opened, name: string): Promise<void> {
  expect((await call(o, "POST", "/api/events", [{ event: name, resource: { "prefect.resource.id": "r" } }])).status).toBe(204);
}

const firings = (db: { query(sql: string): { all(): unknown[] } }) =>
  (db.query("SELECT data FROM events ORDER BY seq").all() as { data: string }[])
    .map((r) => JSON.parse(r.data) as { event: string; payload: { triggering_event: { id: string } | null } })
    .filter((e) => e.event === "prefect-cloud.automation.triggered");

const threshold2 = { type: "event", expect: ["x"], posture: "Reactive", threshold: 2, within: 3600 };

describe("a stop and a start", () => {
  test("bucket counts survive: the second event after a restart completes the window", async () => {
    const dir = dataDir();
    const clock = fixedClock();
    const first = openOn(dir, clock);
    first.ctx.start();
    await createAutomation(first, threshold2);
    await post(first, "x");
    await first.ctx.engine.tick();
    await first.ctx.stop();

    const second = openOn(dir, clock);
    second.ctx.start();
    await second.ctx.engine.tick();
    expect(firings(second.ctx.db.$client)).toHaveLength(0);
    await post(second, "x");
    await second.ctx.engine.tick();
    expect(firings(second.ctx.db.$client)).toHaveLength(1);
    await second.ctx.stop();
  });

  test("events stored while the engine was not running are evaluated at its start, once", async () => {
    const dir = dataDir();
    const clock = fixedClock();
    const first = openOn(dir, clock);
    first.ctx.start();
    await createAutomation(first, { type: "event", expect: ["x"], posture: "Reactive", threshold: 1, within: 0 });
    await first.ctx.engine.tick();
    await first.ctx.engine.stop();
    await post(first, "x");
    await post(first, "x");
    await first.ctx.stop();

    for (let i = 0; i < 2; i++) {
      const again = openOn(dir, clock);
      again.ctx.start();
      await again.ctx.engine.tick();
      expect(firings(again.ctx.db.$client)).toHaveLength(2);
      await again.ctx.stop();
    }
  });

  test("a deadline that passed while Inlet was stopped fires once at start-up, not once per missed window", async () => {
    const dir = dataDir();
    const clock = fixedClock();
    const first = openOn(dir, clock);
    first.ctx.start();
    await createAutomation(first, { type: "event", expect: ["ping"], posture: "Proactive", within: 60 });
    await first.ctx.engine.tick();
    await first.ctx.stop();

    clock.advance(3600_000);
    const second = openOn(dir, clock);
    second.ctx.start();
    await second.ctx.engine.tick();
    clock.advance(600_000);
    await second.ctx.engine.tick();
    expect(firings(second.ctx.db.$client)).toHaveLength(1);
    await second.ctx.stop();
  });
});

describe("a kill -9 of a served process", () => {
  test("state, watermark and deadlines survive: nothing is evaluated twice, the overdue deadline fires once", async () => {
    const dir = dataDir();
    const setup = openOn(dir, fixedClock(Date.now()));
    const key = setup.key;
    await setup.ctx.stop();

    const served = await startServeProcess(["--port", "0", "--data-dir", dir]);
    running.push(served);
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${served.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const create = async (trigger: Record<string, unknown>) => {
      const res = await api("POST", "/api/automations/", { name: "served", trigger, actions: [] });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const counting = await create(threshold2);
    const watchdog = await create({ type: "event", expect: ["ping"], posture: "Proactive", within: 60 });
    expect((await api("POST", "/api/events", [{ event: "x", resource: { "prefect.resource.id": "r" } }])).status).toBe(204);

    const peek = new Database(databasePath(dir), { readonly: true });
    const stateOf = (id: string) =>
      peek.query("SELECT count(*) AS n FROM automation_state WHERE automation_id = ? AND trigger_id <> ''").get(id) as { n: number };
    await waitUntil(() => stateOf(counting).n === 1 && stateOf(watchdog).n === 1, "the engine to write both automations' state");
    peek.close();
    expect(await served.stop("SIGKILL")).not.toBe(0);

    const later = openOn(dir, fixedClock(Date.now() + 1800_000));
    later.ctx.start();
    await later.ctx.engine.tick();
    // The watchdog's deadline passed while nothing ran: one alert. The counted event was not counted again.
    expect(firings(later.ctx.db.$client)).toHaveLength(1);
    await post(later, "x");
    await later.ctx.engine.tick();
    const all = firings(later.ctx.db.$client);
    expect(all).toHaveLength(2);
    expect(all[1]!.payload.triggering_event).not.toBeNull();
    await later.ctx.stop();
  });
});
