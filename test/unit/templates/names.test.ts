// Names are checked before anything is compiled, and the code generator never writes a name into
// JavaScript except as a string literal: nunjucks' lexer reads quotes, backticks and backslashes as
// part of a symbol, and its own code generator pastes symbols between double quotes unescaped.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nunjucks from "nunjucks";
import { generateCode } from "../../../src/templates/compiler.ts";
import { JinjaParser } from "../../../src/templates/parser.ts";
import { compileTemplate, renderTemplate, TemplateError, validateTemplate } from "../../../src/templates/render.ts";
import { hostileName, NAME_SINKS, placeName } from "../../fixtures/templates/hostile-names.ts";
import { request } from "../../support/templates.ts";

const dir = mkdtempSync(join(tmpdir(), "inlet-names-"));
const marker = join(dir, "pwned");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => rmSync(marker, { force: true }));

const HOSTILE = hostileName(marker);
const SINKS = NAME_SINKS;
const place = placeName;

/** Compiles and renders; returns the TemplateError, or null when it rendered. Anything else throws. */
function attempt(template: string): TemplateError | null {
  try {
    renderTemplate(compileTemplate(template), request({ 0: {} }));
    return null;
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
}

describe("a name that is not an identifier is refused before compiling, in every place", () => {
  test.each(SINKS)("%s", (_where, template) => {
    const source = `{"event": "x"}\n\n${place(template, HOSTILE)}`;
    const problem = validateTemplate(source);
    expect(problem?.line).toBe(3);
    expect(problem?.message).toContain("not a valid name");
    expect(attempt(source)?.reason).toBe("template_syntax");
    expect(existsSync(marker)).toBe(false);
  });

  // Filters and tests must also exist.
  const plain = (where: string) => ({ filter: "upper", test: "odd" })[where] ?? "some_name2";

  test.each(SINKS)("%s: a plain identifier still works", (where, template) => {
    expect(validateTemplate(place(template, plain(where)))).toBeNull();
  });

  test('{{ a" }} is a syntax error naming the line, not a crash', () => {
    expect(validateTemplate('{{ a" }}')).toEqual({ line: 1, message: expect.stringContaining("not a valid name") });
  });
});

describe("the code generator quotes names itself (a gap in the check is still not code)", () => {
  /** Parses with a placeholder name, then swaps the hostile name in after the check would have run. */
  function hostileTree(template: string) {
    const { lexer } = nunjucks as unknown as { lexer: { lex(s: string, o: object): unknown } };
    const parser = new JinjaParser(lexer.lex(place(template, "PLACEHOLDER"), {}));
    parser.extensions = [];
    const ast = parser.parseAsRoot();
    const swap = (node: Record<string, unknown>): void => {
      for (const field of (node.fields as string[] | undefined) ?? []) {
        const v = node[field];
        for (const child of Array.isArray(v) ? v : [v]) if (child && typeof child === "object") swap(child as Record<string, unknown>);
      }
      if (node.value === "PLACEHOLDER") node.value = HOSTILE;
      if (Array.isArray(node.children)) for (const child of node.children) swap(child);
    };
    swap(ast);
    return ast;
  }

  test.each(SINKS)("%s", (_where, template) => {
    try {
      renderTemplate({ source: template, code: generateCode(hostileTree(template)) }, request({ 0: {} }));
    } catch (e) {
      // Failing is fine (an unknown filter, say); running the sender's code is not.
      expect(e).toBeInstanceOf(TemplateError);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe("property: any printable name is a valid identifier or a clean refusal, never code", () => {
  // A small seeded generator (mulberry32), so a failure reproduces.
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
  // Weighted towards the characters that end a JavaScript string or start code.
  const alphabet = printable + `"\`\\^$;'"\`\\`.repeat(4) + "abcXYZ_019".repeat(3);

  test("2,000 random names in every place", () => {
    const next = rng(20261204);
    for (let n = 0; n < 2000; n++) {
      const length = 1 + Math.floor(next() * 12);
      let name = "";
      for (let i = 0; i < length; i++) name += alphabet[Math.floor(next() * alphabet.length)];
      const [, template] = SINKS[n % SINKS.length]!;
      const source = place(template, name);
      const problem = validateTemplate(source);
      const [where] = SINKS[n % SINKS.length]!;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && where !== "filter" && where !== "test")
        expect({ source, problem }).toEqual({ source, problem: null });
      // Anything that is not a TemplateError (a JavaScript SyntaxError from the generated code, say) throws here.
      attempt(source);
      expect(existsSync(marker)).toBe(false);
    }
  });
});
