// The error catalogue (src/errors.ts) is the one list of codes: docs/errors.md must list exactly its
// codes with the same statuses and close codes, and the source must produce no code outside it.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERRORS, type CatalogueEntry, type Code, type Kind } from "../../src/errors.ts";

const root = join(import.meta.dir, "../..");
const catalogue = ERRORS as Record<Code, CatalogueEntry>;
const codes = Object.keys(ERRORS) as Code[];
const codesIn = (kind: Kind) => codes.filter((c) => catalogue[c].in.includes(kind));

/** The rows of docs/errors.md's table, by code. */
function docRows(): Map<string, { status: string; close: string; in: string; when: string; todo: string }> {
  const text = readFileSync(join(root, "docs/errors.md"), "utf8");
  const rows = new Map<string, { status: string; close: string; in: string; when: string; todo: string }>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("| `")) continue;
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim());
    expect(cells).toHaveLength(6);
    const [code, status, close, kinds, when, todo] = cells as [string, string, string, string, string, string];
    const name = code.replace(/^`|`$/g, "");
    expect(rows.has(name)).toBe(false);
    rows.set(name, { status, close, in: kinds, when, todo });
  }
  return rows;
}

describe("docs/errors.md", () => {
  const rows = docRows();

  test("lists exactly the catalogue's codes, in its order", () => {
    expect([...rows.keys()]).toEqual(codes);
  });

  test.each(codes)("%s: same status, close code, places and description as the catalogue", (code) => {
    const entry = catalogue[code];
    const row = rows.get(code)!;
    expect(row.status).toBe(entry.status === undefined ? "—" : String(entry.status));
    expect(row.close).toBe(entry.close === undefined ? "—" : String(entry.close));
    expect(row.in).toBe(entry.in.join(", "));
    expect(row.when).toBe(entry.doc);
    expect(row.todo.length).toBeGreaterThan(0);
  });
});

describe("the catalogue", () => {
  test.each(codes)("%s is complete: a place, a message, a status where it is answered, a close code where a feed ends", (code) => {
    const entry = catalogue[code];
    expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(entry.in.length).toBeGreaterThan(0);
    expect(entry.message.length).toBeGreaterThan(0);
    expect(entry.doc).not.toContain("|");
    if (entry.in.includes("api") || entry.in.includes("hook")) expect(entry.status).toBeDefined();
    if (entry.status !== undefined) expect(entry.status >= 400 && entry.status <= 599).toBe(true);
    if (entry.in.includes("feed")) expect(entry.close).toBeDefined();
    // RFC 6455 §7.4.1: 1005, 1006 and 1015 must never be sent in a close frame.
    if (entry.close !== undefined) expect([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]).toContain(entry.close);
  });

  test("failure reasons are the ten the README names; a feed ends for four reasons", () => {
    expect(codesIn("hook")).toEqual([
      "invalid_json",
      "unauthorized",
      "template_syntax",
      "template_error",
      "template_limit",
      "invalid_event",
      "body_too_large",
      "invalid_body",
      "signature_invalid",
      "timestamp_out_of_window",
    ]);
    expect(codesIn("feed")).toEqual(["unauthorized", "query_timeout", "too_slow", "shutdown"]);
  });
});

describe("the source produces no code outside the catalogue", () => {
  const sources = [...new Bun.Glob("src/**/*.ts").scanSync({ cwd: root })].map((path) => ({
    path,
    text: readFileSync(join(root, path), "utf8"),
  }));

  /** Every string literal that `pattern` captures in src/, with where it was found. */
  function literals(pattern: RegExp, where: (path: string) => boolean = () => true): { path: string; value: string }[] {
    const found: { path: string; value: string }[] = [];
    for (const { path, text } of sources) {
      if (!where(path)) continue;
      for (const m of text.matchAll(pattern)) found.push({ path, value: m[1]! });
    }
    return found;
  }

  const everywhere = () => true;
  // Each pattern must find something: a rename that makes it find nothing must fail here, not pass quietly.
  const cases: { name: string; pattern: RegExp; allowed: readonly string[]; where: (path: string) => boolean }[] = [
    { name: "API errors", pattern: /new (?:AppError|ReadRefused)\(\s*"([^"]*)"/g, allowed: codesIn("api"), where: everywhere },
    // Lower case only: SQLite's error codes (SQLITE_…) are compared too.
    { name: "code comparisons", pattern: /(?<!typeof \S*)\.code === "([a-z_]*)"/g, allowed: codes, where: everywhere },
    {
      name: "hook answers",
      pattern: /hookResponse\(\s*(?:[^"()]*\? )?"([^"]*)"/g,
      allowed: codes.filter((c) => catalogue[c].status !== undefined),
      where: everywhere,
    },
    { name: "failure reasons", pattern: /reason: "([^"]*)"/g, allowed: codesIn("hook"), where: everywhere },
    {
      name: "pipeline failures",
      pattern: /\bfail\(\s*"([^"]*)"/g,
      allowed: codesIn("hook"),
      where: (path: string) => path.startsWith("src/ingest/"),
    },
    { name: "template errors", pattern: /new TemplateError\(\s*"([^"]*)"/g, allowed: codesIn("hook"), where: everywhere },
    { name: "feed ends", pattern: /(?:\.end\(sub, |finish\()"([^"]*)"/g, allowed: codesIn("feed"), where: everywhere },
  ];

  test.each(cases)("$name use catalogued codes", ({ pattern, allowed, where }) => {
    const found = literals(pattern, where);
    expect(found.length).toBeGreaterThan(0);
    for (const hit of found) expect({ ...hit, catalogued: allowed.includes(hit.value) }).toEqual({ ...hit, catalogued: true });
  });

  test("the websocket closes only with catalogued close codes", () => {
    const closeOf = (c: Code) => catalogue[c].close;
    const closeCodes = new Set(codes.map(closeOf).filter((n): n is number => n !== undefined));
    // The numbers in the first argument of each `shut(…)` call (the websocket's own refusals).
    const used = sources.flatMap(({ path, text }) =>
      [...text.matchAll(/\bshut\(([^,]*),/g)].flatMap((m) => [...m[1]!.matchAll(/\d+/g)].map((n) => ({ path, close: Number(n[0]) }))),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const hit of used) expect({ ...hit, catalogued: closeCodes.has(hit.close) }).toEqual({ ...hit, catalogued: true });
    // And every close code in the catalogue is one the server sends: a refusal's, or a feed end's.
    const sent = new Set([...used.map((u) => u.close), ...codesIn("feed").map((c) => closeOf(c)!)]);
    expect([...closeCodes].sort()).toEqual([...sent].sort());
  });
});
