// Retention: deletes events older than the configured number of days (by when they occurred or were
// received, whichever is earlier), a small batch at a time, yielding between batches so ingestion
// never waits long, then returns free pages to the disk.
import type { Database } from "bun:sqlite";
import type { RetentionSchedule } from "./event-store.ts";
import { deleteExpiredRequests } from "./raw-requests.ts";

/** Small enough that one batch (with its index rows) holds the writer for only a few ms. */
export const RETENTION_BATCH = 100;
export const RETENTION_INTERVAL_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * Deletes one batch; returns how many events it removed. An event expires when it occurred, or was
 * received, before the cutoff: `occurred` is the sender's to set, and one dated in the future must
 * not keep its event forever. By `occurred` through its index; by `received` in commit order (seq),
 * which is the order of receipt, so the expired ones are the first and no index is needed.
 */
export function deleteExpiredBatch(client: Database, cutoff: number, batch = RETENTION_BATCH): number {
  return client.transaction(() => {
    const byOccurred = client
      .query<{ seq: number }, [number, number]>("SELECT seq FROM events WHERE occurred < ? ORDER BY occurred LIMIT ?")
      .all(cutoff, batch);
    const seqs = new Set(byOccurred.map((r) => r.seq));
    if (seqs.size < batch) {
      const first = client
        .query<{ seq: number; received: number }, [number]>("SELECT seq, received FROM events ORDER BY seq LIMIT ?")
        .all(batch - seqs.size);
      for (const row of first) {
        if (row.received >= cutoff) break;
        seqs.add(row.seq);
      }
    }
    if (seqs.size === 0) return 0;
    const rows = [...seqs];
    const marks = rows.map(() => "?").join(",");
    client.query(`DELETE FROM event_resources WHERE event_seq IN (${marks})`).run(...rows);
    client.query(`DELETE FROM events WHERE seq IN (${marks})`).run(...rows);
    return rows.length;
  })();
}

const freePages = (client: Database) => client.query<{ freelist_count: number }, []>("PRAGMA freelist_count").get()?.freelist_count ?? 0;

export interface RetentionOptions extends RetentionSchedule {
  client: Database;
  batch?: number;
}

/** Runs one full sweep, yielding to the event loop between batches. */
export async function sweep({
  client,
  retentionDays,
  rawRetentionDays,
  now,
  logger,
  batch = RETENTION_BATCH,
}: RetentionOptions): Promise<number> {
  const cutoff = now() - retentionDays * DAY_MS;
  let total = 0;
  // Kept requests first: they expire sooner, and they go with their events anyway.
  if (rawRetentionDays !== undefined) {
    const rawCutoff = now() - rawRetentionDays * DAY_MS;
    let requests = 0;
    for (;;) {
      const n = client.transaction(() => deleteExpiredRequests(client, rawCutoff, batch))();
      requests += n;
      if (n < batch) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    if (requests > 0) logger.info("retention: deleted expired raw requests", { count: requests });
  }
  for (;;) {
    const n = deleteExpiredBatch(client, cutoff, batch);
    total += n;
    if (n < batch) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  if (total > 0) {
    // Give free pages back to the file system, a bounded number at a time. A database made
    // without incremental auto-vacuum frees nothing here; stop as soon as a step frees nothing.
    let free = freePages(client);
    while (free > 0) {
      client.exec("PRAGMA incremental_vacuum(1000)");
      const left = freePages(client);
      if (left >= free) break;
      free = left;
      await new Promise((r) => setTimeout(r, 1));
    }
    logger.info("retention: deleted expired events", { count: total });
  }
  return total;
}

/** Starts the periodic sweep; returns a function that stops it. */
export function startRetention(opts: RetentionOptions, intervalMs = RETENTION_INTERVAL_MS): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sweep(opts);
    } catch (error) {
      opts.logger.error("retention sweep failed", { error });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, intervalMs);
  void tick();
  return () => clearInterval(timer);
}
