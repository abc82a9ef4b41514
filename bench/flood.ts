// Flood benchmark: memory under a flood of large, slow requests, with and without
// --max-requests-in-flight. Run: `npx bun bench/flood.ts` (BENCH_BINARY=1 runs dist/inlet instead
// of the source). Each round starts a fresh server, opens BENCH_CONNECTIONS connections that each
// send a hook request's head and all but the last byte of a BENCH_BODY_KB body, then holds them,
// and reads the server's peak resident memory (VmHWM) while they are held. Refused requests are
// answered at once and their connections closed; admitted ones keep their body in memory. Reported:
// medians over BENCH_ROUNDS rounds of the peak RSS growth, for the cap and for no cap (0), measured
// in the same run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BINARY, median } from "./support.ts";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1500);
const BODY_KB = Number(process.env.BENCH_BODY_KB ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CAP = Number(process.env.BENCH_CAP ?? 512);
const TEMPLATE = '{"event": "flood", "resource": {"prefect.resource.id": "flood"}}';

const rssKb = (pid: number, field: "VmRSS" | "VmHWM") =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

async function start(dir: string, cap: number) {
  const argv = process.env.BENCH_BINARY ? [BINARY] : [process.execPath, resolve(import.meta.dir, "../src/main.ts")];
  const args = ["serve", "--port", "0", "--data-dir", dir, "--max-requests-per-address", "0", "--max-requests-in-flight", String(cap)];
  const proc = Bun.spawn([...argv, ...args, "--max-body-bytes", String(BODY_KB * 2048), "--body-timeout-ms", "600000"], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let out = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited:\n${out}`);
    out += new TextDecoder().decode(value);
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) {
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return { url: m[1]!, proc };
    }
  }
}

async function round(cap: number) {
  const dir = mkdtempSync(join(tmpdir(), "inlet-flood-"));
  const { url, proc } = await start(dir, cap);
  const { port } = new URL(url);
  try {
    const key = /\n(\S+)\n$/.exec(
      Bun.spawnSync([
        process.execPath,
        resolve(import.meta.dir, "../src/main.ts"),
        "service-account",
        "create",
        "b",
        "--role",
        "admin",
        "--data-dir",
        dir,
      ]).stdout.toString(),
    )?.[1];
    const res = await fetch(`${url}/api/webhooks/`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "flood", template: TEMPLATE }),
    });
    const { slug } = (await res.json()) as { slug: string };
    const base = rssKb(proc.pid, "VmRSS");
    const body = Buffer.alloc(BODY_KB * 1024 - 1, 0x61);
    const sockets: Socket[] = [];
    let refused = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, () => {
        return new Promise<void>((done) => {
          const s = connect({ host: "127.0.0.1", port: Number(port) });
          sockets.push(s);
          s.on("error", () => done());
          s.on("data", (d) => void (d.toString().startsWith("HTTP/1.1 503") && refused++));
          s.on("close", () => done());
          s.once("connect", () => {
            s.write(`POST /hooks/${slug} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${BODY_KB * 1024}\r\n\r\n`);
            s.write(body, () => setTimeout(done, 0));
          });
        });
      }),
    );
    // Let the server take in what was sent: until its memory stops growing for a second (at most 30 s).
    let last = rssKb(proc.pid, "VmRSS");
    for (let i = 0, still = 0; i < 120 && still < 4; i++) {
      await Bun.sleep(250);
      const now = rssKb(proc.pid, "VmRSS");
      still = now - last < 1024 ? still + 1 : 0;
      last = now;
    }
    const peak = rssKb(proc.pid, "VmHWM");
    for (const s of sockets) s.destroy();
    return { growthMb: (peak - base) / 1024, refused };
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Record<string, { growthMb: number; refused: number }[]> = { [`cap ${CAP}`]: [], "no cap": [] };
for (let r = 0; r < ROUNDS; r++) {
  results[`cap ${CAP}`]!.push(await round(CAP));
  results["no cap"]!.push(await round(0));
}
console.log(`${CONNECTIONS} connections, each holding ${BODY_KB} KiB of body; ${ROUNDS} rounds`);
for (const [name, rs] of Object.entries(results)) {
  console.log(
    `${name.padEnd(8)}  peak RSS growth median ${median(rs.map((r) => r.growthMb)).toFixed(0)} MB  (${rs.map((r) => r.growthMb.toFixed(0)).join(", ")}); refused median ${median(rs.map((r) => r.refused))}`,
  );
}
