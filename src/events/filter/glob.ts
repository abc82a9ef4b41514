// Python's fnmatch.fnmatchcase, which Prefect's server uses for label values, in two forms that
// must agree: a RegExp for in-memory matching and an SQLite GLOB pattern for queries.
// Both follow fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; a `[` without a closing `]` is a
// literal; `\` is never an escape; matching is case-sensitive.

type Token = { kind: "star" } | { kind: "any" } | { kind: "literal"; char: string } | { kind: "set"; negated: boolean; body: string };

function tokenize(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (c === "?") tokens.push({ kind: "any" });
    else if (c === "[") {
      // fnmatch: a `]` right after `[` or `[!` belongs to the set.
      let j = i + 1;
      if (chars[j] === "!") j++;
      if (chars[j] === "]") j++;
      while (j < chars.length && chars[j] !== "]") j++;
      if (j >= chars.length) tokens.push({ kind: "literal", char: "[" });
      else {
        let body = chars.slice(i + 1, j).join("");
        const negated = body.startsWith("!");
        if (negated) body = body.slice(1);
        tokens.push({ kind: "set", negated, body });
        i = j;
      }
    } else tokens.push({ kind: "literal", char: c });
  }
  return tokens;
}

/** Ranges `a-z` and single characters of a set body, as fnmatch reads them. */
function setItems(body: string): { from: string; to: string }[] {
  const chars = Array.from(body);
  const items: { from: string; to: string }[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i + 1] === "-" && i + 2 < chars.length) {
      items.push({ from: chars[i]!, to: chars[i + 2]! });
      i += 2;
    } else items.push({ from: chars[i]!, to: chars[i]! });
  }
  return items;
}

const reEscape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|\/]/g, "\\$&");
const classEscape = (c: string) => (c === "-" ? "\\-" : reEscape(c));

export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (const t of tokenize(pattern)) {
    if (t.kind === "star") source += "[\\s\\S]*";
    else if (t.kind === "any") source += "[\\s\\S]";
    else if (t.kind === "literal") source += reEscape(t.char);
    else {
      // Reversed ranges (z-a) match nothing, as in fnmatch and SQLite.
      const items = setItems(t.body).filter((r) => r.from.codePointAt(0)! <= r.to.codePointAt(0)!);
      const cls = items.map((r) => (r.from === r.to ? classEscape(r.from) : `${classEscape(r.from)}-${classEscape(r.to)}`)).join("");
      if (cls === "") source += t.negated ? "[\\s\\S]" : "(?!)";
      else source += t.negated ? `[^${cls}]` : `[${cls}]`;
    }
  }
  return new RegExp(`^${source}$`, "u");
}

/**
 * The same pattern for SQLite's GLOB. GLOB has no escape character: literal `*`, `?` and `[`
 * are written as one-character sets, and a set's leading `^` (literal in fnmatch, negation in
 * GLOB) is moved to the end of the set. Null means the pattern can match nothing.
 */
export function globToSqlite(pattern: string): string | null {
  let out = "";
  for (const t of tokenize(pattern)) {
    if (t.kind === "star") out += "*";
    else if (t.kind === "any") out += "?";
    else if (t.kind === "literal") out += literalForSqlite(t.char);
    else {
      const items = setItems(t.body).filter((r) => r.from.codePointAt(0)! <= r.to.codePointAt(0)!);
      if (items.length === 0) {
        // An empty set matches no character, so the whole pattern matches nothing; GLOB cannot say so.
        if (!t.negated) return null;
        out += "?";
        continue;
      }
      // Within a GLOB set, `]` is literal only first, `^` only when not first, `-` only last.
      const hasCaret = items.some((r) => r.from === "^" && r.to === "^");
      const hasBracket = items.some((r) => r.from === "]" && r.to === "]");
      const hasDash = items.some((r) => r.from === "-" && r.to === "-");
      const rest = items
        .filter((r) => !(r.from === r.to && (r.from === "^" || r.from === "]" || r.from === "-")))
        .map((r) => (r.from === r.to ? r.from : `${r.from}-${r.to}`))
        .join("");
      const body = (hasBracket ? "]" : "") + rest + (hasCaret ? "^" : "") + (hasDash ? "-" : "");
      if (!t.negated && body === "^") {
        out += "^";
        continue;
      }
      if (!t.negated && body === "]") {
        out += "]";
        continue;
      }
      out += `[${t.negated ? "^" : ""}${body}]`;
    }
  }
  return out;
}

function literalForSqlite(c: string): string {
  return c === "*" || c === "?" || c === "[" ? `[${c}]` : c;
}

/** A GLOB pattern matching every string that starts with `prefix` (for event.prefix and id_prefix). */
export function sqlitePrefixGlob(prefix: string): string {
  return Array.from(prefix, literalForSqlite).join("") + "*";
}

/** True when the pattern has no wildcard, so an equality test says the same and can use an index. */
export function isLiteralGlob(pattern: string): boolean {
  return !/[*?[]/.test(pattern);
}
