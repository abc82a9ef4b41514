// The rules between src/'s folders, checked on the import statements themselves, so that a change
// that breaks one fails here rather than in review.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Each file of src/ (relative, with /) and the files of src/ it imports (static imports, re-exports, import()). */
const IMPORTS: Map<string, string[]> = new Map(
  sourceFiles(SRC).map((file) => {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm)].map((m) =>
      relative(SRC, resolve(dirname(file), m[1]!)),
    );
    return [relative(SRC, file), targets];
  }),
);

/** Each file of src/ and the packages it imports ("drizzle-orm", "bun:sqlite", …). */
const PACKAGES: Map<string, string[]> = new Map(
  sourceFiles(SRC).map((file) => {
    const text = readFileSync(file, "utf8");
    return [relative(SRC, file), [...text.matchAll(/\bfrom\s+["']([^."'][^"']*)["']/g)].map((m) => m[1]!)];
  }),
);

/** The storage modules: each the only place that touches its tables. */
const STORAGE = [
  /^db\//,
  /^events\/store\//,
  /^auth\/(service-accounts|sessions|users)\.ts$/,
  /^settings\/store\.ts$/,
  /^webhooks\/store\.ts$/,
  /^automations\/store\//,
  /^actions\/store\//,
  /^dedup\/store\.ts$/,
];
const isStorage = (file: string) => STORAGE.some((re) => re.test(file));

/** The imports of files under `from` that go to files not matched by `allowed`. */
function violations(from: (file: string) => boolean, allowed: (target: string) => boolean): string[] {
  return [...IMPORTS]
    .filter(([file]) => from(file))
    .flatMap(([file, targets]) => targets.filter((t) => !allowed(t)).map((t) => `${file} → ${t}`));
}

describe("dependency rules", () => {
  test("the files are found, and so are their imports", () => {
    expect(IMPORTS.size).toBeGreaterThan(50);
    expect(IMPORTS.get("app.ts")).toContain("context.ts");
  });

  test("templates/ imports nothing outside templates/ but the leaf json.ts (the language knows no app)", () => {
    expect(
      violations(
        (f) => f.startsWith("templates/"),
        (t) => t.startsWith("templates/") || t === "json.ts",
      ),
    ).toEqual([]);
  });

  test("client/ (bundled into the admin UI) imports only the event model and json.ts", () => {
    expect(
      violations(
        (f) => f.startsWith("client/"),
        (t) => t === "json.ts" || t === "events/model.ts",
      ),
    ).toEqual([]);
  });

  test("the admin UI takes only types from src/, besides client/ and json.ts (no server code in the bundle)", () => {
    const web = resolve(SRC, "../web/src");
    const found = sourceFiles(web).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^import\s+(type\s+)?[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']/gm)]
        .filter((m) => !m[1] && resolve(dirname(file), m[2]!).startsWith(SRC))
        .map((m) => relative(SRC, resolve(dirname(file), m[2]!)))
        .filter((t) => t !== "json.ts" && !t.startsWith("client/"))
        .map((t) => `${relative(web, file)} → ${t}`),
    );
    expect(found).toEqual([]);
  });

  test("only the storage modules reach the database (routes, the feed and the rest never write SQL)", () => {
    const found = [...PACKAGES]
      .filter(([file, packages]) => !isStorage(file) && packages.some((p) => p === "bun:sqlite" || p.startsWith("drizzle-orm")))
      .map(([file]) => file);
    expect(found).toEqual([]);
    const clients = [...IMPORTS.keys()].filter((file) => !isStorage(file) && /\$client\b/.test(readFileSync(join(SRC, file), "utf8")));
    expect(clients).toEqual([]);
  });

  test("nothing imports feed/ but the app wiring (app.ts, context.ts, server.ts)", () => {
    expect(
      violations(
        (f) => !f.startsWith("feed/") && !["app.ts", "context.ts", "server.ts"].includes(f),
        (t) => !t.startsWith("feed/"),
      ),
    ).toEqual([]);
  });

  test("json.ts, which templates/ and storage share, imports nothing of src/", () => {
    expect(IMPORTS.get("json.ts")).toEqual([]);
  });
});
