// The word index behind the `text` filter, filled in the background: inserting an event does no
// text work, so the webhook's acknowledgement never waits for it. The indexer reads committed
// events past the watermark a batch at a time and writes their words, the new vocabulary and the
// new watermark in one transaction: after a crash the index and its watermark agree. Queries use
// the index up to the watermark and read the few events past it directly (text-plan.ts). The index
// holds each event's text as a sequence of words and separator runs, with positions, so that a term
// with separators is a phrase of adjacent tokens, and the pairs of words around each run, in order.
import type { Database } from "bun:sqlite";
import type { TextIndexSchedule } from "./event-store.ts";
import { SEARCH_TEXT_SQL, textPairs, textTokens } from "./text-tokens.ts";

export const TEXT_INDEX_BATCH = 256;
/**
 * A batch also stops at this many bytes of stored events (but takes at least one): a batch holds
 * the request thread while it runs, about 60 ms per MB of text, and events may be 1.5 MB each.
 */
export const TEXT_INDEX_BATCH_BYTES = 256 * 1024;
/** How often a caught-up indexer looks for new events. */
export const TEXT_INDEX_IDLE_MS = 200;
/**
 * The longest wait before retrying after failed batches (a full disk, say): the wait doubles from
 * TEXT_INDEX_IDLE_MS with each failure in a row, up to this.
 */
export const TEXT_INDEX_RETRY_MAX_MS = 60_000;
/** Words known to be in the vocabulary, per database, to skip most lookups; bounded. */
const KNOWN_WORDS_MAX = 200_000;
const knownWords = new WeakMap<Database, Set<string>>();

/** Every event with seq ≤ the watermark is in events_words (deleted ones aside). */
export function textWatermark(client: Database): number {
  return client.query<{ watermark: number }, []>("SELECT watermark FROM events_words_state").get()!.watermark;
}

interface Batch {
  read: number;
  newWords: string[];
}

function writeBatch(client: Database, size: number, known: Set<string>): Batch {
  const from = textWatermark(client);
  const newWords: string[] = [];
  // octet_length reads a row's size from its header, not the text itself.
  const sizes = client
    .query<{ seq: number; bytes: number }, [number, number]>(
      "SELECT seq, octet_length(data) AS bytes FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
    )
    .all(from, size);
  if (sizes.length === 0) return { read: 0, newWords };
  let take = 1;
  for (let bytes = sizes[0]!.bytes; take < sizes.length && bytes + sizes[take]!.bytes <= TEXT_INDEX_BATCH_BYTES; take++)
    bytes += sizes[take]!.bytes;
  const rows = searchTexts(client, from, sizes[take - 1]!.seq);
  const insertDoc = client.query("INSERT INTO events_words (rowid, body, pairs) VALUES (?, ?, ?)");
  const insertWord = client.query<{ id: number }, [string]>(
    "INSERT INTO events_words_vocab (word) VALUES (?) ON CONFLICT DO NOTHING RETURNING id",
  );
  const insertGrams = client.query("INSERT INTO events_words_grams (rowid, word) VALUES (?, ?)");
  const seen = new Set<string>();
  for (const row of rows) {
    const tokens = textTokens(row.text ?? "");
    insertDoc.run(row.seq, tokens.map((t) => t.text).join(" "), textPairs(tokens).join(" "));
    for (const { text: word, separator } of tokens) {
      if (known.has(word) || seen.has(word)) continue;
      seen.add(word);
      const added = insertWord.get(word);
      // Separator tokens are found by their range of the vocabulary (text-plan.ts), not by trigrams.
      if (added && !separator) insertGrams.run(added.id, word);
      newWords.push(word);
    }
  }
  client.query("UPDATE events_words_state SET watermark = ?").run(rows.at(-1)!.seq);
  return { read: rows.length, newWords };
}

const TEXTS_SQL = `SELECT seq, ${SEARCH_TEXT_SQL.replaceAll("$data", "data")} AS text FROM events WHERE seq > ? AND seq <= ? ORDER BY seq`;

/**
 * The searched texts of the events in (from, to]. SQLite's JSON functions refuse a stored event
 * they cannot read (one nested deeper than they go, stored before events were limited to that):
 * then each event is read on its own, and one that cannot be read is indexed without words rather
 * than stopping the index there for good.
 */
function searchTexts(client: Database, from: number, to: number): { seq: number; text: string | null }[] {
  const texts = client.query<{ seq: number; text: string | null }, [number, number]>(TEXTS_SQL);
  try {
    return texts.all(from, to);
  } catch {
    const seqs = client
      .query<{ seq: number }, [number, number]>("SELECT seq FROM events WHERE seq > ? AND seq <= ? ORDER BY seq")
      .all(from, to);
    return seqs.map(({ seq }) => {
      try {
        return texts.get(seq - 1, seq) ?? { seq, text: null };
      } catch {
        return { seq, text: null };
      }
    });
  }
}

/**
 * Index writes need not be durable on their own (a lost batch is redone from the watermark written
 * with it), so their COMMIT skips the fsync; the next ingest COMMIT (FULL) syncs them anyway.
 */
function withoutSync<T>(client: Database, write: () => T): T {
  const synchronous = client.query<{ synchronous: number }, []>("PRAGMA synchronous").get()!.synchronous;
  if (synchronous <= 1) return write();
  client.exec("PRAGMA synchronous = NORMAL");
  try {
    return write();
  } finally {
    client.exec(`PRAGMA synchronous = ${synchronous}`);
  }
}

/** Indexes the next batch of events past the watermark; returns how many it indexed (0: caught up). */
export function indexBatch(client: Database, size = TEXT_INDEX_BATCH): number {
  let known = knownWords.get(client);
  if (!known) knownWords.set(client, (known = new Set()));
  // IMMEDIATE: the group commit may write from another connection, and a deferred transaction could not upgrade.
  const batch = withoutSync(client, () => client.transaction(() => writeBatch(client, size, known)).immediate());
  // Only committed words are remembered: a rolled-back word must be looked up again.
  if (known.size + batch.newWords.length > KNOWN_WORDS_MAX) known.clear();
  for (const word of batch.newWords) known.add(word);
  return batch.read;
}

/** Indexes every event committed so far (tests, benchmarks, tools); returns how many. */
export function indexPending(client: Database, size = TEXT_INDEX_BATCH): number {
  let total = 0;
  for (let n = 1; n > 0; total += n) n = indexBatch(client, size);
  return total;
}

/** Pages of index one merge step writes at most (a few milliseconds of work). */
export const TEXT_MERGE_PAGES = 200;

/**
 * One step of merging the index's segments towards one: every batch adds a segment, and probing
 * an event costs a seek per segment, so a merged index answers a common word's page ~10× faster.
 * Returns false once there is nothing left to merge (FTS5 then changes fewer than two rows).
 */
export function mergeStep(client: Database, pages = TEXT_MERGE_PAGES): boolean {
  return withoutSync(client, () => {
    const before = client.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n;
    // A negative count merges segments of different levels too, as 'optimize' does, but in steps.
    client.query("INSERT INTO events_words (events_words, rank) VALUES ('merge', ?)").run(-pages);
    return client.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n - before >= 2;
  });
}

/** Merges the whole index (tests, benchmarks, tools). */
export function mergeAll(client: Database): void {
  while (mergeStep(client, 2000));
}

export interface TextIndexerOptions extends TextIndexSchedule {
  client: Database;
  idleMs?: number;
  /** Runs `run` after `ms` (setTimeout; tests run it by hand). */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Keeps the index caught up, then merged: one batch or merge step at a time, yielding to the event
 * loop after each so that requests and commits interleave with indexing. A failure is logged once
 * for a streak of them, with retries ever further apart (TEXT_INDEX_RETRY_MAX_MS at most), and its
 * end once, when a step succeeds again. Returns a function that stops it.
 */
export function startTextIndexer({
  client,
  logger,
  batch = TEXT_INDEX_BATCH,
  idleMs = TEXT_INDEX_IDLE_MS,
  busy = () => false,
  setTimer = (run, ms) => setTimeout(run, ms),
  clearTimer = (timer) => clearTimeout(timer as Timer),
}: TextIndexerOptions): () => void {
  let stopped = false;
  let timer: unknown;
  const next = () => new Promise((r) => setImmediate(r));
  let merged = true;
  let failures = 0;
  const succeeded = () => {
    if (failures === 0) return;
    logger.info("text indexer: indexing works again", { failed: failures });
    failures = 0;
  };
  const run = async () => {
    let wait = idleMs;
    try {
      for (let n = 1; !stopped && n > 0 && !busy(); await next()) {
        n = indexBatch(client, batch);
        succeeded();
        if (n > 0) merged = false;
      }
      // Caught up: merge the new segments in small steps, still yielding between them.
      while (!stopped && !merged && !busy()) {
        merged = !mergeStep(client);
        succeeded();
        await next();
      }
    } catch (error) {
      // One line, no stack: the same failure repeats until its cause (a full disk) goes away.
      if (++failures === 1) logger.error("text indexer: a batch failed; retrying less often until one succeeds", { error: String(error) });
      wait = Math.min(idleMs * 2 ** Math.min(failures, 30), TEXT_INDEX_RETRY_MAX_MS);
    }
    if (!stopped) timer = setTimer(run, wait);
  };
  timer = setTimer(run, 0);
  return () => {
    stopped = true;
    clearTimer(timer);
  };
}
