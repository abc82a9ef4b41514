// `inlet destination …` and `inlet automation deliveries ID` against a real server on loopback,
// with a real receiver for "test" and for the deliveries shown.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { inlet, startTestServer, tempDir, type TestServer } from "../support/cli.ts";
import { deliveriesOf, settled } from "../support/deliveries.ts";
import { buildFiring, fire, storeAutomation } from "../support/firings.ts";
import { answers, startReceiver, type Receiver } from "../support/receivers.ts";

let srv: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  srv = await startTestServer();
  receiver = startReceiver(answers(200, 500, 200));
});
afterAll(async () => {
  await srv.stop();
  await receiver.stop();
});

const dest = (args: string[], opts: Parameters<typeof inlet>[1] = {}) => inlet(["destination", ...args], { env: srv.env, ...opts });

/** `inlet automation deliveries …` as a user runs it. */
const deliveries = (args: string[]) => inlet(["automation", "deliveries", ...args], { env: srv.env });

describe("inlet destination", () => {
  test("create a webhook destination from flags: its signing secret is printed once", async () => {
    const r = await dest(["create", "ops hook", "--type", "webhook", "--target-url", `${receiver.url}/in`, "--header", "X-Key: hush-hush"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Created destination ops hook \([0-9a-f-]{36}\)\nSigning secret \(shown once, keep it to verify signatures\): whsec_\S+\n$/,
    );
    const ls = await dest(["ls"]);
    expect(ls.stdout).toContain("ops hook");
    expect(ls.stdout).toContain("headers");
    expect(ls.stdout).not.toContain("hush-hush");
    expect(ls.stdout).not.toContain("whsec_");
  });

  test("create from a file, and from stdin", async () => {
    const dir = tempDir();
    const file = join(dir.path, "ntfy.json");
    writeFileSync(file, JSON.stringify({ type: "ntfy", config: { server: "http://ntfy.lan", topic: "alerts", token: "tk-secret" } }));
    const r = await dest(["create", "from file", "--from-file", file, "-o", "json"]);
    dir.remove();
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "from file", type: "ntfy", secrets_set: ["token"] });
    expect(r.stdout).not.toContain("tk-secret");
    const piped = await dest(["create", "--from-file", "-"], {
      stdin: JSON.stringify({ name: "piped", type: "slack", config: { url: "https://hooks.slack.com/services/x" } }),
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toStartWith("Created destination piped");
  });

  test("invalid settings: the server's message, exit 1; no type: a usage error, exit 2", async () => {
    const bad = await dest(["create", "bad", "--type", "webhook", "--target-url", "ftp://x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("config.url: must be an http or https URL");
    const missing = await dest(["create", "no type"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing --type");
  });

  test("test sends a signed message and says how it went; a failing receiver exits 1", async () => {
    const res = await srv.api("POST", "/api/destinations/", { name: "tested", type: "webhook", config: { url: receiver.url } });
    const { id, signing_secret } = (await res.json()) as { id: string; signing_secret: string };
    const before = receiver.received.length;
    const ok = await dest(["test", id]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Test delivered \(HTTP 200, \d+ ms\)\n$/);
    const sent = receiver.received[before]!;
    expect(() => new Webhook(signing_secret).verify(sent.body, sent.headers)).not.toThrow();
    const failing = await dest(["test", id]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^Test failed \(HTTP 500, \d+ ms\): HTTP 500\n$/);
    expect((await dest(["test", "no-such-id"])).stderr).toBe("Destination with id 'no-such-id' not found.\n");
  });

  test("delete asks for --yes when not in a terminal, then deletes", async () => {
    const res = await srv.api("POST", "/api/destinations/", { name: "doomed", type: "discord", config: { url: "https://discord.test/x" } });
    const { id } = (await res.json()) as { id: string };
    expect((await dest(["delete", id])).code).toBe(1);
    const r = await dest(["delete", id, "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Deleted destination ${id}\n`);
    expect((await srv.api("GET", `/api/destinations/${id}`)).status).toBe(404);
  });
});

describe("inlet automation deliveries", () => {
  test("lists an automation's deliveries with their last attempt; JSON with -o json", async () => {
    const ctx = srv.server.ctx;
    const res = await srv.api("POST", "/api/destinations/", { name: "log", type: "webhook", config: { url: receiver.url } });
    const { id } = (await res.json()) as { id: string };
    const automation = storeAutomation(ctx, [{ type: "call-webhook", destination_id: id, payload: "{}" }]);
    await fire(ctx, buildFiring(automation, ctx.clock.now()));
    const [row] = deliveriesOf(ctx, automation.id);
    await settled(ctx, row!.id);
    const r = await deliveries([automation.id]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [header, line] = r.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^delivery id\s+created\s+action\s+status\s+attempts\s+next attempt\s+last attempt$/);
    expect(line).toContain(row!.id);
    expect(line).toContain("0: call-webhook");
    expect(line).toMatch(/delivered\s+1\s+HTTP 200 \(\d+ ms\)$/);
    const asJson = JSON.parse((await deliveries([automation.id, "-o", "json"])).stdout);
    expect(asJson.deliveries[0]).toMatchObject({ id: row!.id, status: "delivered" });
    expect((await deliveries(["no-such-automation"])).stdout).toBe("No deliveries.\n");
  });
});
