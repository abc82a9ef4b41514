// A data directory on a small tmpfs that fills up, against the compiled binary. While it is full,
// hooks answer 503 (never 204 for an event that was not stored), reads keep being served, the log
// says so once rather than per request, and once space returns the server stores events again by
// itself. Counted: every event acknowledged with 204 is in the database afterwards.
//
// Needs root (mount -t tmpfs); without it the test fails and says why rather than being skipped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, openSync, rmSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { emptyDir, runBinary, startBinaryServer, type ServerProcess } from "../support/binary.ts";

const TMPFS_SIZE = "3m";
const BODY = JSON.stringify({ pad: "x".repeat(8 * 1024) });
const TEMPLATE = '{"event": "disk.{{ query.n }}", "resource": {"prefect.resource.id": "disk.{{ query.n }}"}, "payload": {{ body|tojson }}}';

const dir = emptyDir("inlet-disk-");
const mountPoint = join(dir.path, "tmpfs");
const dataDir = join(mountPoint, "data");
const filler = join(mountPoint, "filler");
let mounted = false;
let server: ServerProcess;
let key: string;
let slug: string;

beforeAll(async () => {
  mkdirSync(mountPoint);
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${TMPFS_SIZE}`, "tmpfs", mountPoint]);
  if (mount.exitCode !== 0) {
    throw new Error(`this test needs a small tmpfs, and mount refused (run the binary suite as root): ${mount.stderr.toString().trim()}`);
  }
  mounted = true;
  const created = runBinary(["service-account", "create", "ci", "--role", "admin", "--data-dir", dataDir, "-o", "json"], dir.path);
  expect(created.exitCode).toBe(0);
  key = JSON.parse(created.stdout).api_key;
  server = await startBinaryServer(dir.path, ["--data-dir", dataDir]);
  const res = await fetch(`${server.url}/api/webhooks/`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "disk", template: TEMPLATE }),
  });
  ({ slug } = await res.json());
});

afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.stop("SIGKILL");
  if (mounted) Bun.spawnSync(["umount", "-l", mountPoint]);
  dir.remove();
});

/** Writes a file until the file system is full; returns the bytes written. */
function fillDisk(): number {
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(16 * 1024, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
  return written;
}

const send = async (n: number) =>
  (await fetch(`${server.url}/hooks/${slug}?n=${n}`, { method: "POST", body: BODY, headers: { "content-type": "application/json" } }))
    .status;

test("full: 503 and never a 204 for an event not stored; reads served; logged once; then it recovers by itself", async () => {
  expect(await send(0)).toBe(204);
  expect(fillDisk()).toBeGreaterThan(0);

  // More than the space left in the database's own free pages and WAL can hold.
  const acknowledged: number[] = [];
  const statuses = new Map<number, number>();
  for (let n = 1; n <= 300; n++) {
    const status = await send(n);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status === 204) acknowledged.push(n);
  }
  expect([...statuses.keys()].filter((s) => s !== 204 && s !== 503)).toEqual([]);
  expect(statuses.get(503) ?? 0).toBeGreaterThan(0);

  // Reads and health are still served while writes fail.
  const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const read = await fetch(`${server.url}/api/events/filter`, { method: "POST", headers: auth, body: JSON.stringify({ limit: 1 }) });
  expect(read.status).toBe(200);
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  const posted = await fetch(`${server.url}/api/events`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify([{ event: "disk.api", resource: { "prefect.resource.id": "disk.api" }, payload: JSON.parse(BODY) }]),
  });
  expect(posted.status).toBe(503);
  expect(posted.headers.get("retry-after")).toMatch(/^\d+$/);
  // One line for the episode (and one from the text indexer's own retries), not one per refused request.
  expect(server.logs().match(/cannot store events/g) ?? []).toHaveLength(1);
  expect((server.logs().match(/ ERROR /g) ?? []).length).toBeLessThanOrEqual(2);

  // Space returns: the next sends are stored, with no restart.
  unlinkSync(filler);
  let recovered = 503;
  for (let tries = 0; recovered !== 204 && tries < 20; tries++) {
    if (tries > 0) await Bun.sleep(250); // a sender's retry, not a wait for the server
    recovered = await send(1000 + tries);
    if (recovered === 204) acknowledged.push(1000 + tries);
  }
  expect(recovered).toBe(204);
  expect(server.logs()).toContain("storage works again");

  expect(await server.stop("SIGTERM")).toBe(0);
  const db = new Database(join(dataDir, "inlet.db"), { readonly: true });
  try {
    const stored = new Set(
      (db.query("SELECT event FROM events WHERE event LIKE 'disk.%'").all() as { event: string }[]).map((r) => Number(r.event.slice(5))),
    );
    // Every acknowledged event is stored; the refused ones may or may not be (a sender retries them).
    expect(acknowledged.filter((n) => !stored.has(n))).toEqual([]);
    expect(stored.has(0)).toBe(true);
  } finally {
    db.close();
  }
});
