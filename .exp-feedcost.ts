// Feed delivery cost per copy: real app (feed-ws), 100 sockets in a child process on CPU 1, synthetic publishes.
import { startFeedServer } from "./test/api/feed-support.ts";
import { feedOf } from "./src/events/feed.ts";
import { toEvent } from "./src/events/model.ts";
const N = 100, B = Number(process.env.B ?? 32), ROUNDS = Number(process.env.R ?? 1500);
const s = await startFeedServer();
const child = Bun.spawn(["taskset", "-c", "1", process.execPath, "-e", `
  let n = 0; for (let i = 0; i < ${N}; i++) { const ws = new WebSocket("${s.wsUrl}", ["prefect"]);
  ws.onopen = () => ws.send(JSON.stringify({type:"auth", token:"${s.adminKey}"}));
  ws.onmessage = (e) => { n++; if (e.data.startsWith('{"type":"auth_success"')) ws.send(JSON.stringify({type:"filter", filter:{}, backfill:false})); }; }
  setInterval(() => process.stdout.write(n + "\\n"), 200);`], { stdout: "pipe" });
while (feedOf(s.ctx).size < N) await Bun.sleep(20);
const now = Date.now();
const mk = () => toEvent({ event: "bench.load", resource: { "prefect.resource.id": "bench.load", t: "0" }, related: [{ "prefect.resource.id": "prefect-cloud.webhook.0d8c2c7e-4a4e-4a6e-9a55-0a1d2b3c4d5e", "prefect.resource.role": "webhook", "prefect.resource.name": "bench" }], payload: { method: "POST", headers: { accept: "*/*", "content-type": "application/json", host: "127.0.0.1:40000", "user-agent": "wrk", "content-length": "22" }, body: { k: "load", t: "0" } } }, { now });
let seq = 1e9;
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  s.ctx.bus.publish(Array.from({ length: B }, () => ({ seq: seq++, event: mk() })));
  await new Promise((res) => setImmediate(res));
}
const c = process.cpuUsage(c0);
const copies = ROUNDS * B * N;
console.log(`B=${B}: user ${(c.user * 1000 / copies).toFixed(0)} ns/copy, system ${(c.system * 1000 / copies).toFixed(0)} ns/copy, wall ${(performance.now() - t0).toFixed(0)} ms, frame ${JSON.stringify({type:"event",event:mk()}).length} bytes`);
child.kill(); await s.stop();
