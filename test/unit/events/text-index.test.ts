import { describe, expect, test } from "bun:test";
import { openMemoryDatabase, type Db } from "../../../src/db/open.ts";
import { parseEventFilter } from "../../../src/events/filter/filter.ts";
import { toEvent, type Event } from "../../../src/events/model.ts";
import { matchesFilter } from "../../../src/events/filter/match.ts";
import { countEvents, queryEvents } from "../../../src/events/store/query.ts";
import { deleteExpiredBatch } from "../../../src/events/store/retention.ts";
import { SqliteEventStore } from "../../../src/events/store/sqlite-store.ts";
import {
  indexBatch,
  indexPending,
  mergeStep,
  startTextIndexer,
  TEXT_INDEX_RETRY_MAX_MS,
  textWatermark,
} from "../../../src/events/store/text-index.ts";
import { createLogger } from "../../../src/log.ts";
import { MAX_EXPANSION, MAX_PHRASES, planText } from "../../../src/events/store/text-plan.ts";
import { PAIR_GAP, separatorToken, textPairs, textTokens } from "../../../src/events/store/text-tokens.ts";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const event = (n: number, payload: Record<string, unknown>, name = "github.push"): Event =>
  toEvent(
    {
      id: `0190f3b4-3a2b-7cde-8f00-${String(n).padStart(12, "0")}`,
      occurred: new Date(NOW - n * 60_000).toISOString(),
      event: name,
      resource: { "prefect.resource.id": `repo.${n}` },
      payload,
    },
    { now: NOW },
  );

function database(events: Event[]): Db {
  const db = openMemoryDatabase();
  new SqliteEventStore(db).insert(events);
  return db;
}

const ids = (db: Db, query: string) =>
  queryEvents(db, parseEventFilter({ text: { query } }, NOW), { limit: 100 })
    .map((s) => Number(s.event.id.slice(-12)))
    .sort((a, b) => a - b);
const count = (db: Db, query: string) => countEvents(db, parseEventFilter({ text: { query } }, NOW));
const indexedRows = (db: Db) =>
  db.$client.query<{ n: number }, []>("SELECT count(*) AS n FROM events_words WHERE events_words MATCH '\"push\"'").get()!.n;

describe("words", () => {
  test("split at ASCII punctuation and spaces; `_` and non-ASCII letters belong to words", () => {
    const words = (text: string) =>
      textTokens(text)
        .filter((t) => !t.separator)
        .map((t) => t.text);
    expect(words('github.pull_request.opened {"note":"échec, déjà-vu"} a\tb')).toEqual([
      "github",
      "pull_request",
      "opened",
      "note",
      "échec",
      "déjà",
      "vu",
      "a",
      "b",
    ]);
  });

  test("the index's tokens: words and runs of separators, alternating, a run marked and encoded", () => {
    expect(textTokens('{"a":1} ok.').map((t) => t.text)).toEqual([
      separatorToken('{"'),
      "a",
      separatorToken('":'),
      "1",
      separatorToken("} "),
      "ok",
      separatorToken("."),
    ]);
    expect(separatorToken('."')).toBe("~\u282e\u2822");
  });

  test("the word pairs around each run are tokens too, in order; a pair holding a digit leaves a gap", () => {
    const pair = (a: string, run: string, b: string) => a + separatorToken(run) + b;
    expect(textPairs(textTokens("github.push repo.1 a-b {}"))).toEqual([
      pair("github", ".", "push"),
      pair("push", " ", "repo"),
      PAIR_GAP,
      PAIR_GAP,
      pair("a", "-", "b"),
    ]);
  });
});

describe("term expansion", () => {
  const db = database([
    event(1, { code: "err1234" }),
    event(2, { code: "xerr12" }),
    event(3, { code: "ERR123" }),
    event(4, { path: "model.refreshed" }),
  ]);
  indexPending(db.$client);

  test("a word term becomes the vocabulary words containing it, ORed; exact, nothing left to check", () => {
    const plan = planText(db.$client, "err123");
    expect(plan.match).toBe('("err123" OR "err1234")');
    expect(plan.check).toEqual({ include: [], exclude: [], required: [] });
  });

  test("two words around separators are one word pair token: a word ending with the first, one starting with the second; exact", () => {
    const dot = separatorToken(".");
    const plan = planText(db.$client, "del.refr");
    expect(plan.match).toBe(`(pairs : ("model${dot}refreshed"))`);
    expect(plan.check).toEqual({ include: [], exclude: [], required: [] });
    expect(ids(db, "del.refr")).toEqual([4]);
    expect(ids(db, "model.refreshed")).toEqual([4]);
    expect(ids(db, "model.refreshedx")).toEqual([]);
    expect(ids(db, "push -del.refr")).toEqual([1, 2, 3]);
    expect(planText(db.$client, "push -del.refr").match).toBe(`(("push") NOT (pairs : ("model${dot}refreshed")))`);
  });

  test("more words are a phrase of pairs; with a run at either end, a phrase of tokens narrowed by its first pair; exact", () => {
    const [dot, space, quoted] = [separatorToken("."), separatorToken(" "), separatorToken('":"')];
    expect(planText(db.$client, '"github.push repo"').match).toBe(`(pairs : ("github${dot}push" + "push${space}repo"))`);
    expect(planText(db.$client, '"github.push repo."').match).toBe(
      `(pairs : ("github${dot}push") AND body : ("github" + "${dot}" + "push" + "${space}" + "repo" + "${dot}"))`,
    );
    expect(ids(db, '"hub.push repo.4"')).toEqual([4]);
    expect(ids(db, '"hub.push repo."')).toEqual([1, 2, 3, 4]);
    expect(ids(db, '"push.push repo"')).toEqual([]);
    expect(planText(db.$client, '"path\\":\\"model"').match).toBe(`(pairs : ("path${quoted}model"))`);
    expect(ids(db, '"path\\":\\"model.refreshed"')).toEqual([4]);
    expect(ids(db, '"code\\":\\"model"')).toEqual([]);
  });

  test("a pair not indexed (a word holds a digit) is a phrase", () => {
    expect(planText(db.$client, "repo.1").match).toBe(`(body : ("repo" + "${separatorToken(".")}" + "1"))`);
    expect(ids(db, "repo.1")).toEqual([1]);
    expect(ids(db, "po.4 -github.push")).toEqual([]);
    expect(ids(db, '"github.push repo.4"')).toEqual([4]);
  });

  test("a term starting or made of separators uses the separator tokens ending with or holding it", () => {
    expect(planText(db.$client, ".refr").match).toBe(`(body : ("${separatorToken(".")}" + "refreshed"))`);
    expect(ids(db, ".refr")).toEqual([4]);
    expect(ids(db, '":"')).toEqual([1, 2, 3, 4]);
    expect(planText(db.$client, "+.refr").check.required).toEqual([]);
  });

  test("a first part ending too many words starts the phrase after it; checked against the text", () => {
    const dot = separatorToken(".");
    expect(planText(db.$client, "l.refr").match).toBe(`(pairs : ("model${dot}refreshed"))`);
    const many = database(Array.from({ length: MAX_PHRASES + 1 }, (_, i) => event(i + 1, { n: `q${i}abc.def` })));
    indexPending(many.$client);
    for (const term of ["abc.def", "c.def"]) {
      const plan = planText(many.$client, term);
      expect(plan.match).toBe(`(body : ("${dot}" + "def"))`);
      expect(plan.check.include).toEqual([term]);
    }
    expect(count(many, "abc.def")).toBe(MAX_PHRASES + 1);
    expect(count(many, "q1abc.def")).toBe(1);
    expect(ids(many, "xc.def")).toEqual([]);
  });

  test("excluded words are FTS5 NOTs on the matches", () => {
    expect(planText(db.$client, "err12 -xerr12").match).toBe('(("err123" OR "err1234" OR "xerr12") NOT ("xerr12"))');
    expect(ids(db, "err12 -xerr12")).toEqual([1, 3]);
  });

  test("a word found nowhere matches no indexed event", () => {
    expect(ids(db, "nowhere")).toEqual([]);
    expect(count(db, "nowhere")).toBe(0);
  });

  test("terms under three characters, and terms inside too many words, read the text instead", () => {
    expect(planText(db.$client, "rr").match).toBeNull();
    expect(ids(db, "rr")).toEqual([1, 2, 3]);
    const many = database(Array.from({ length: MAX_EXPANSION + 1 }, (_, i) => event(i + 1, { n: `zzz${i}q` })));
    indexPending(many.$client);
    expect(planText(many.$client, "zzz").match).toBeNull();
    expect(planText(many.$client, "zzz1q").match).toBe('("zzz1q")');
    expect(count(many, "0q")).toBe(201);
  });
});

describe("the background indexer", () => {
  const events = Array.from({ length: 10 }, (_, i) => event(i + 1, { n: i, word: i % 2 ? "odd" : "even" }));

  test("indexes in batches past the watermark, which is the last seq indexed", () => {
    const db = database(events);
    expect(textWatermark(db.$client)).toBe(0);
    expect(indexBatch(db.$client, 4)).toBe(4);
    expect(textWatermark(db.$client)).toBe(4);
    expect(indexedRows(db)).toBe(4);
    expect(indexPending(db.$client, 4)).toBe(6);
    expect(textWatermark(db.$client)).toBe(10);
    expect(indexBatch(db.$client)).toBe(0);
  });

  test("a batch also stops at TEXT_INDEX_BATCH_BYTES of events (at least one), so that big payloads index a few at a time", () => {
    // Each about 100 KB: two fit in a batch's 256 KB, a third does not; one of 400 KB goes alone.
    const big = (n: number, kb: number) => event(n, { note: `needle${n} ` + "lorem ipsum ".repeat((kb * 1024) / 12) });
    const db = database([big(1, 100), big(2, 100), big(3, 100), big(4, 400), big(5, 1)]);
    expect(indexBatch(db.$client, 16)).toBe(2);
    expect(textWatermark(db.$client)).toBe(2);
    expect(indexBatch(db.$client, 16)).toBe(1);
    expect(indexBatch(db.$client, 16)).toBe(1);
    expect(indexBatch(db.$client, 16)).toBe(1);
    expect(indexBatch(db.$client, 16)).toBe(0);
    expect(textWatermark(db.$client)).toBe(5);
    for (const n of [1, 2, 3, 4, 5]) expect(ids(db, `needle${n}`)).toEqual([n]);
  });

  test("events past the watermark are found all the same, in both plans and in the count", () => {
    const db = database(events);
    indexBatch(db.$client, 3);
    new SqliteEventStore(db).insert([event(11, { word: "odd" })]);
    const odd = [2, 4, 6, 8, 10, 11];
    expect(ids(db, "odd")).toEqual(odd);
    expect(count(db, "odd")).toBe(6);
    expect(count(db, "odd -even")).toBe(6);
    for (const mode of ["list", "probe"] as const) {
      const got = queryEvents(db, parseEventFilter({ text: { query: "odd" } }, NOW), { limit: 100, mode });
      expect(got.map((s) => Number(s.event.id.slice(-12))).sort((a, b) => a - b)).toEqual(odd);
    }
  });

  test("a batch and its watermark commit together: a failed batch leaves neither", () => {
    const db = database(events);
    indexBatch(db.$client, 4);
    db.$client.exec("CREATE TEMP TRIGGER fail BEFORE UPDATE ON events_words_state BEGIN SELECT RAISE(ABORT, 'crash'); END");
    expect(() => indexBatch(db.$client, 4)).toThrow("crash");
    expect(textWatermark(db.$client)).toBe(4);
    expect(indexedRows(db)).toBe(4);
    db.$client.exec("DROP TRIGGER fail");
    // The words of the failed batch were rolled back and must still be found once indexed.
    indexPending(db.$client);
    expect(ids(db, "odd")).toEqual([2, 4, 6, 8, 10]);
    expect(planText(db.$client, "odd").match).toBe('("odd")');
  });

  test("retention's deletes leave the index exact", () => {
    const db = database(events);
    indexBatch(db.$client, 6);
    // Events 6..10 are the oldest; 6 is indexed, 7..10 are not.
    expect(deleteExpiredBatch(db.$client, NOW - 5.5 * 60_000)).toBe(5);
    expect(indexedRows(db)).toBe(5);
    indexPending(db.$client);
    expect(textWatermark(db.$client)).toBe(6);
    expect(ids(db, "odd")).toEqual([2, 4]);
    expect(count(db, "even")).toBe(3);
  });
});

describe("the background indexer's failures", () => {
  test("a streak of failed batches is logged once, retried ever less often (capped), and its end once", async () => {
    const db = database(Array.from({ length: 3 }, (_, i) => event(i + 1, { word: "odd" })));
    const lines: string[] = [];
    const waits: number[] = [];
    let scheduled: (() => Promise<void>) | null = null;
    const tick = async () => {
      const run = scheduled!;
      scheduled = null;
      await run();
    };
    const stop = startTextIndexer({
      client: db.$client,
      logger: createLogger("info", (line) => lines.push(line)),
      idleMs: 200,
      setTimer: (run, ms) => {
        scheduled = run as () => Promise<void>;
        waits.push(ms);
      },
      clearTimer: () => void (scheduled = null),
    });
    // A full disk, as the index sees it: every batch's commit fails.
    db.$client.exec(
      "CREATE TEMP TRIGGER full BEFORE UPDATE ON events_words_state BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    for (let i = 0; i < 12; i++) await tick();
    expect(waits).toEqual([0, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000, 60000]);
    expect(Math.max(...waits)).toBe(TEXT_INDEX_RETRY_MAX_MS);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("ERROR text indexer: a batch failed");
    expect(lines[0]).toContain("database or disk is full");
    expect(lines[0]).not.toContain("\n");
    expect(textWatermark(db.$client)).toBe(0);

    db.$client.exec("DROP TRIGGER full");
    await tick();
    expect(textWatermark(db.$client)).toBe(3);
    expect(waits.at(-1)).toBe(200);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("INFO  text indexer: indexing works again failed=12");

    // A new streak is logged again, and backs off from the start.
    new SqliteEventStore(db).insert([event(4, { word: "even" })]);
    db.$client.exec(
      "CREATE TEMP TRIGGER full BEFORE UPDATE ON events_words_state BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    await tick();
    await tick();
    expect(waits.slice(-2)).toEqual([400, 800]);
    expect(lines).toHaveLength(3);
    stop();
    expect(scheduled).toBeNull();
  });
});

describe("merging the index", () => {
  test("merges in steps until there is nothing left, answers unchanged", () => {
    const db = database(Array.from({ length: 40 }, (_, i) => event(i + 1, { word: i % 2 ? "odd" : "even" })));
    for (let i = 0; i < 8; i++) indexBatch(db.$client, 5);
    let steps = 0;
    while (mergeStep(db.$client, 1)) steps++;
    expect(steps).toBeGreaterThan(0);
    expect(mergeStep(db.$client)).toBe(false);
    expect(count(db, "odd")).toBe(20);
    expect(ids(db, "even -odd")).toHaveLength(20);
  });
});

describe("random terms", () => {
  // Texts over a few words and separators, and terms cut from them at random places: every shape of
  // term (word parts, pairs, phrases, runs at either end) against an index in every state.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
  const pieces = ["git", "hub", "github", "push", "pu", "x1", "ab", ".", "..", " ", "-", '"', ":", ". "];
  const texts = Array.from({ length: 60 }, () => Array.from({ length: 8 }, () => pieces[rand(pieces.length)]).join(""));
  const events = texts.map((t, i) => event(i + 1, { t }, t.replace(/[^a-z]/g, "") || "x"));
  const db = database(events);
  indexBatch(db.$client, 40);

  test("select exactly the events whose text holds them, also excluded or required", () => {
    for (let i = 0; i < 150; i++) {
      const text = texts[rand(texts.length)]!;
      const from = rand(text.length);
      const term = text.slice(from, from + 1 + rand(7)).replace(/^[-+!]+/, "");
      if (!term.trim() || /\s|"/.test(term)) continue;
      for (const query of [term, `push -${term}`, `+${term} +git`]) {
        const filter = parseEventFilter({ text: { query } }, NOW);
        const expected = events
          .filter((e) => matchesFilter(filter, e))
          .map((e) => Number(e.id.slice(-12)))
          .sort((a, b) => a - b);
        expect({ query, got: ids(db, query) }).toEqual({ query, got: expected });
        expect({ query, n: count(db, query) }).toEqual({ query, n: expected.length });
      }
    }
  });
});
