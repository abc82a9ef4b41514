// What checking a sender's signature costs ingestion, in process and in CPU time (so that a busy,
// shared machine inflates both sides alike): `bun bench/verification.ts [rounds]` (default 7).
// The same 7 KB GitHub delivery goes through app.handle to two webhooks with the same template on
// a database file, one verifying X-Hub-Signature-256 and one not, in alternating batches of 2,000
// (50 at a time, so that commits are shared as on a server). Prints the median CPU per request of
// each and the difference. bench/ingest.ts measures the same over HTTP with wrk.
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import githubExamples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { createApp } from "../src/app.ts";
import { databasePath, resolveConfig } from "../src/config.ts";
import { createContext } from "../src/context.ts";
import { openDatabase } from "../src/db/open.ts";
import { SecretBox } from "../src/verification/secret-box.ts";
import { verifySignature } from "../src/verification/verify.ts";
import { median } from "./support.ts";

const ROUNDS = Number(process.argv[2] ?? 7);
const BATCH = 2000;
const CONCURRENCY = 50;
const SECRET = "bench github secret";
const TEMPLATE = `{"event": "github.{{ headers['x-github-event'] }}", "resource": {"prefect.resource.id": "github.repo.{{ body.repository.full_name }}"}}`;
const body = JSON.stringify(
  (githubExamples as unknown as { name: string; examples: unknown[] }[]).find((e) => e.name === "commit_comment")!.examples[0],
);
const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

const dir = mkdtempSync(join(tmpdir(), "inlet-bench-verify-"));
const config = resolveConfig({ "data-dir": dir, "log-level": "silent" }, {});
const ctx = createContext({ config, db: openDatabase({ path: databasePath(dir) }), secrets: SecretBox.forDataDir(dir) });
const app = createApp(ctx);
const key = ctx.serviceAccounts.create("bench", "admin").api_key;

async function hook(verification: unknown): Promise<string> {
  const res = await app.handle(
    new Request("http://localhost/api/webhooks/", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", template: TEMPLATE, verification }),
    }),
  );
  return ((await res.json()) as { slug: string }).slug;
}

const plain = await hook(undefined);
const verified = await hook({ scheme: "github", secret: SECRET });
const headers = { "content-type": "application/json", "x-github-event": "commit_comment" };

/** CPU µs per request (user + system) for one batch to `slug`. */
async function batch(slug: string, extra: Record<string, string>): Promise<number> {
  const start = process.cpuUsage();
  for (let sent = 0; sent < BATCH; sent += CONCURRENCY) {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENCY }, () =>
        app.handle(new Request(`http://localhost/hooks/${slug}`, { method: "POST", body, headers: { ...headers, ...extra } })),
      ),
    );
    if (answers.some((r) => r.status !== 204)) throw new Error(`a request was refused: ${answers.find((r) => r.status !== 204)!.status}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / BATCH;
}

await batch(plain, {}); // warm up both paths
await batch(verified, { "x-hub-signature-256": signature });
const plainRuns: number[] = [];
const verifiedRuns: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const steps = [
    async () => plainRuns.push(await batch(plain, {})),
    async () => verifiedRuns.push(await batch(verified, { "x-hub-signature-256": signature })),
  ];
  for (const step of round % 2 ? steps : steps.reverse()) await step();
  console.log(
    `round ${round}: not verified ${plainRuns.at(-1)!.toFixed(1)} µs, verified ${verifiedRuns.at(-1)!.toFixed(1)} µs of CPU per request`,
  );
}
const p = median(plainRuns);
const v = median(verifiedRuns);
// Each round's two batches ran back to back: their difference cancels slow drifts of the machine.
const paired = median(plainRuns.map((plainCpu, i) => verifiedRuns[i]! - plainCpu));

/** The check alone: CPU µs of verifySignature on this body, median of 7 batches of 20,000. */
function oneCheck(): number {
  const v = { scheme: "github" as const, secrets: [SECRET] };
  const signed = new Headers({ "x-hub-signature-256": signature });
  const bytes = new TextEncoder().encode(body);
  const runs: number[] = [];
  for (let b = 0; b < 7; b++) {
    const start = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) if (!verifySignature(v, signed, bytes, Date.now()).ok) throw new Error("bench signature refused");
    const used = process.cpuUsage(start);
    runs.push((used.user + used.system) / 20_000);
  }
  return median(runs);
}
const check = oneCheck();
console.log(`
Verification cost, in process (${body.length}-byte GitHub delivery, ${BATCH} requests a batch, median of ${ROUNDS} rounds)
  not verified:        ${p.toFixed(1)} µs of CPU per request
  X-Hub-Signature-256: ${v.toFixed(1)} µs of CPU per request
  cost:                ${(v - p).toFixed(1)} µs, ${(((v - p) / p) * 100).toFixed(1)} % (medians); ${paired.toFixed(1)} µs, ${((paired / p) * 100).toFixed(1)} % (median of the rounds' paired differences)
  the check alone:     ${check.toFixed(1)} µs of CPU = ${((check / p) * 100).toFixed(1)} % of an unverified request`);
await ctx.stop();
rmSync(dir, { recursive: true, force: true });
