// A flood against the compiled binary: many connections each holding a large, unfinished hook body.
// With --max-requests-in-flight the server admits only that many (the rest get 503 and are closed),
// so its peak memory grows by about cap × body, not connections × body; once the flood ends it serves
// as usual. bench/flood.ts measures the same with and without the cap.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { emptyDir, runBinary, startBinaryServer, type ServerProcess } from "../support/binary.ts";
import { waitUntil } from "../support/wait.ts";

const CAP = 20;
const CONNECTIONS = 400;
const BODY = 256 * 1024;
/** Without the cap the flood holds CONNECTIONS × BODY = 100 MiB; with it, about 5 MiB and the runtime's own. */
const GROWTH_BOUND_KB = 50 * 1024;

const dir = emptyDir();
let server: ServerProcess;
let slug: string;

const statusKb = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${server.proc.pid}/status`, "utf8"))?.[1]);

beforeAll(async () => {
  const created = runBinary(["service-account", "create", "ci", "--role", "admin", "--data-dir", "./data", "-o", "json"], dir.path);
  const key = JSON.parse(created.stdout).api_key;
  server = await startBinaryServer(dir.path, [
    "--max-requests-in-flight",
    String(CAP),
    "--max-requests-per-address",
    "0",
    "--body-timeout-ms",
    "600000",
  ]);
  const res = await fetch(`${server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "flood", template: '{"event": "flood", "resource": {"prefect.resource.id": "flood"}}' }),
  });
  ({ slug } = await res.json());
});

afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.stop("SIGKILL");
  dir.remove();
});

test("a flood of held bodies: the cap's worth is admitted, the rest refused 503; memory stays bounded; then it serves as usual", async () => {
  const { port } = new URL(server.url);
  const before = statusKb("VmRSS");
  const body = Buffer.alloc(BODY - 1, 0x61);
  const sockets: Socket[] = [];
  let refused = 0;
  let closed = 0;
  for (let i = 0; i < CONNECTIONS; i++) {
    const s = connect({ host: "127.0.0.1", port: Number(port) });
    sockets.push(s);
    s.on("error", () => {});
    s.on("data", (d) => void (/^HTTP\/1\.1 503/.test(d.toString("latin1")) && refused++));
    s.on("close", () => void closed++);
    s.once("connect", () =>
      s.write(`POST /hooks/${slug} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${BODY}\r\n\r\n`, () => s.write(body)),
    );
  }
  await waitUntil(() => refused >= CONNECTIONS - CAP && closed >= CONNECTIONS - CAP, "every request past the cap to be refused", 30_000);
  expect(refused).toBe(CONNECTIONS - CAP);
  expect(statusKb("VmHWM") - before).toBeLessThan(GROWTH_BOUND_KB);

  for (const s of sockets) s.destroy();
  // The server said "retry after 1 s"; a sender does, until the held requests have ended.
  let after = 503;
  for (let tries = 0; after === 503 && tries < 20; tries++) {
    if (tries > 0) await Bun.sleep(250);
    after = (await fetch(`${server.url}/hooks/${slug}`, { method: "POST", body: "{}" })).status;
  }
  expect(after).toBe(204);
  expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);
});
