// Deliveries survive kill -9: a firing is recorded (its delivery pending), a served Inlet sends it
// to a receiver that does not answer, and the process is killed mid-send. After a restart the
// delivery is sent again and acknowledged exactly once; in another run, with the receiver down, its
// retries keep to the schedule across the kill (5 s, then 5 min, ±20 %). Secrets stay out of the
// server's log.
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { databasePath, resolveConfig } from "../../src/config.ts";
import { createContext } from "../../src/context.ts";
import { openDatabase } from "../../src/db/open.ts";
import { SecretBox } from "../../src/verification/secret-box.ts";
import { freePort, tempDir } from "../support/cli.ts";
import { buildFiring, fire, storeAutomation } from "../support/firings.ts";
import { startServeProcess, type ServeProcess } from "../support/serve.ts";
import { waitUntil } from "../support/wait.ts";

const SECRET = "kill-test-secret-header-value";
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** Records a firing of an automation calling a webhook destination at `url`, with no server running; the delivery's id. */
async function recordFiring(dataDir: string, url: string): Promise<string> {
  const db = openDatabase({ path: databasePath(dataDir) });
  // The server's own key: it must open the destination's secrets sealed here.
  const ctx = createContext({ config: resolveConfig({ "data-dir": dataDir }, {}), db, secrets: SecretBox.forDataDir(dataDir) });
  const { destination } = ctx.destinations.create({
    name: "receiver",
    type: "webhook",
    enabled: true,
    config: { method: "POST", url, body_template: null },
    secrets: { headers: { "x-secret": SECRET } },
  });
  const automation = storeAutomation(ctx, [{ type: "call-webhook", destination_id: destination.id, payload: '{"n": 1}' }]);
  await fire(ctx, buildFiring(automation, Date.now()));
  const id = ctx.deliveries.pageForAutomation(automation.id, 1, null)[0]!.delivery.id;
  await ctx.stop();
  return id;
}

interface Row {
  status: string;
  attempt_count: number;
  next_attempt: number | null;
}

function watch(dataDir: string) {
  const db = new Database(databasePath(dataDir), { readonly: true });
  cleanups.push(() => db.close());
  return {
    delivery: (id: string) => db.query("SELECT status, attempt_count, next_attempt FROM deliveries WHERE id = ?").get(id) as Row,
    attempts: (id: string) =>
      db.query("SELECT at, status_code, error FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt").all(id) as {
        at: number;
        status_code: number | null;
        error: string | null;
      }[],
  };
}

async function serve(dataDir: string): Promise<ServeProcess> {
  const server = await startServeProcess(["--port", "0", "--data-dir", dataDir]);
  cleanups.push(() => server.stop("SIGKILL"));
  return server;
}

describe("kill -9", () => {
  test("a delivery in flight when the process is killed is sent again after restart, and acknowledged once", async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const dataDir = join(dir.path, "data");
    const seen: { id: string; answered: boolean }[] = [];
    let hang = true;
    const receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(request) {
        await request.text();
        const entry = { id: request.headers.get("webhook-id") ?? "", answered: false };
        seen.push(entry);
        // The first request is never answered: the server is killed while it waits.
        if (hang) return await new Promise<Response>(() => {});
        entry.answered = true;
        return new Response("ok");
      },
    });
    cleanups.push(() => receiver.stop(true));
    const id = await recordFiring(dataDir, `http://127.0.0.1:${receiver.port}/in`);

    const first = await serve(dataDir);
    await waitUntil(() => seen.length === 1, "the first send", 10_000);
    expect(await first.stop("SIGKILL")).not.toBe(0);
    const db = watch(dataDir);
    expect(db.delivery(id)).toMatchObject({ status: "pending", attempt_count: 0 });

    hang = false;
    const second = await serve(dataDir);
    await waitUntil(() => db.delivery(id).status === "delivered", "the delivery after restart", 10_000);
    expect(seen.map((s) => s.id)).toEqual([id, id]);
    expect(seen.filter((s) => s.answered)).toHaveLength(1);
    expect(db.attempts(id).map((a) => a.status_code)).toEqual([200]);

    // A clean stop and a third start send nothing more.
    expect(await second.stop("SIGTERM")).toBe(0);
    const third = await serve(dataDir);
    await fetch(`${third.url}/api/health`);
    expect(seen).toHaveLength(2);
    for (const server of [first, second, third]) expect(server.logs()).not.toContain(SECRET);
  }, 30_000);

  test("with the receiver down after the kill, the delivery is retried on the schedule", async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const dataDir = join(dir.path, "data");
    const port = await freePort();
    const id = await recordFiring(dataDir, `http://127.0.0.1:${port}/in`);
    const db = watch(dataDir);

    const first = await serve(dataDir);
    await waitUntil(() => db.attempts(id).length === 1, "the first attempt", 10_000);
    await first.stop("SIGKILL");

    await serve(dataDir);
    // The retry is due 5 s (±20 %) after the first attempt, kill or no kill; the next one 5 min later.
    await waitUntil(() => db.attempts(id).length === 2, "the second attempt", 15_000);
    const [firstAttempt, second] = db.attempts(id);
    expect(second!.error).toBe(`could not connect to 127.0.0.1:${port}`);
    const gap = second!.at - firstAttempt!.at;
    expect(gap).toBeGreaterThanOrEqual(4_000);
    expect(gap).toBeLessThan(7_500);
    const row = db.delivery(id);
    expect(row).toMatchObject({ status: "pending", attempt_count: 2 });
    expect(row.next_attempt! - second!.at).toBeGreaterThanOrEqual(4 * 60_000);
    expect(row.next_attempt! - second!.at).toBeLessThanOrEqual(6 * 60_000);
  }, 30_000);
});
