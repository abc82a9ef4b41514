import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { globToRegExp, globToSqlite, sqlitePrefixGlob } from "../../../src/events/filter/glob.ts";
import { matchesLabelValue } from "../../../src/events/filter/match.ts";

const sqlite = new Database(":memory:");
const sqliteGlob = (pattern: string, value: string) => {
  const glob = globToSqlite(pattern);
  return glob === null ? false : (sqlite.query("SELECT ? GLOB ? AS m").get(value, glob) as { m: number }).m === 1;
};

// Expected results are Python's fnmatch.fnmatchcase(value, pattern).
const cases: [string, string, boolean][] = [
  ["github.*", "github.repo", true],
  ["github.*", "GitHub.repo", false],
  ["github.*", "github.", true],
  ["*.repo", "github.repo", true],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["a*", "a\nb", true],
  ["[abc]x", "bx", true],
  ["[!abc]x", "bx", false],
  ["[!abc]x", "dx", true],
  ["[a-c]", "b", true],
  ["[a-]", "-", true],
  ["[]]", "]", true],
  ["[!]]", "]", false],
  ["[^a]", "^", true],
  ["[^a]", "b", false],
  ["[^]", "^", true],
  ["[", "[", true],
  ["a[", "a[", true],
  ["[*]", "*", true],
  ["[*]", "x", false],
  ["[?]", "?", true],
  ["[[]7]", "[7]", true],
  ["[z-a]", "m", false],
  ["[z-a]x]", "x]", false],
  ["[!z-a]", "m", true],
  ["\\*", "\\x", true],
  ["100%", "100%", true],
  ["a_b", "axb", false],
  ["é*", "été", true],
  ["", "", true],
  ["", "a", false],
];

describe("fnmatch globs", () => {
  test.each(cases)("%j against %j → %p, in memory and in SQLite", (pattern, value, expected) => {
    expect(globToRegExp(pattern).test(value)).toBe(expected);
    expect(sqliteGlob(pattern, value)).toBe(expected);
  });

  test("prefix globs treat wildcard characters literally", () => {
    const m = (prefix: string, value: string) =>
      (sqlite.query("SELECT ? GLOB ? AS m").get(value, sqlitePrefixGlob(prefix)) as { m: number }).m === 1;
    expect(m("a*b.", "a*b.c")).toBe(true);
    expect(m("a*b.", "axb.c")).toBe(false);
    expect(m("x[1]", "x[1]y")).toBe(true);
    expect(m("", "anything")).toBe(true);
  });
});

describe("label values (Prefect's server `matches`)", () => {
  test.each([
    ["prod", "prod", true],
    ["!prod", "prod", false],
    ["!prod", "staging", true],
    ["!prod", undefined, false],
    ["prod", undefined, false],
    ["!pr*", "preview", false],
    ["!", "", false],
    ["!", "x", true],
    ["*", "", true],
  ] as const)("%j against %j → %p", (expected, value, result) => {
    expect(matchesLabelValue(expected, value)).toBe(result);
  });
});
