// docs/ and the README name files of the repo; a move or a rename must take them along.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const pages = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

test("every repo path the docs name exists", () => {
  const named = pages.flatMap((page) =>
    [
      ...readFileSync(join(ROOT, page), "utf8").matchAll(/\b((?:src|test|bench|web|docs|drizzle)\/[\w./-]+\.(?:ts|tsx|md|json|sql))\b/g),
    ].map((m) => ({ page, path: m[1]! })),
  );
  expect(named.length).toBeGreaterThan(40);
  expect(named.filter(({ path }) => !existsSync(join(ROOT, path)))).toEqual([]);
});
