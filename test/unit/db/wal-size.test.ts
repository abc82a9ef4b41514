// The WAL file gives its space back: while a long read holds its snapshot (the read worker's
// filters may run for up to 30 s), commits pile up in the WAL; after the read ends and the next
// checkpoint, the file is cut back to WAL_SIZE_LIMIT.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, WAL_SIZE_LIMIT } from "../../../src/db/open.ts";
import { toEvent } from "../../../src/events/model.ts";
import { SqliteEventStore } from "../../../src/events/store/sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "inlet-wal-"));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("after a long read, the WAL file is cut back to its limit", () => {
  const path = join(dir, "inlet.db");
  const db = openDatabase({ path });
  const store = new SqliteEventStore(db);
  const big = (i: number) =>
    toEvent(
      {
        event: "big",
        resource: { "prefect.resource.id": `big.${i}` },
        payload: { blob: Buffer.alloc(1_000_000, 97 + (i % 26)).toString() },
      },
      { now: Date.now() },
    );
  const walSize = () => statSync(`${path}-wal`).size;

  const reader = new Database(path, { readonly: true });
  reader.exec("BEGIN");
  reader.query("SELECT count(*) FROM events").get(); // holds this snapshot until COMMIT
  for (let i = 0; i < 45; i++) store.insert([big(i)]);
  expect(walSize()).toBeGreaterThan(WAL_SIZE_LIMIT);
  reader.exec("COMMIT");
  reader.close();

  for (let i = 45; i < 50; i++) store.insert([big(i)]);
  expect(walSize()).toBeLessThanOrEqual(WAL_SIZE_LIMIT);
  expect(db.$client.query("SELECT count(*) AS n FROM events").get()).toEqual({ n: 50 });
  db.$client.close();
});
