// Completion for the template editor: after `body.` the keys of the playground's sample body at that
// path, after `headers[` its header names, after `query.` its query keys. The sample is read when
// completion runs, so what the playground holds now is what is offered.
import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import type { EditorView } from "@codemirror/view";
import { parseHeaderLines, type SampleRequest } from "./starters.ts";

/** The sample body as the server would parse it: JSON, a form, or nothing to offer. */
export function sampleBody(sample: SampleRequest): unknown {
  const text = sample.body.trim();
  if (!text) return null;
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  if (/^[^=&\s]+=/.test(text)) return Object.fromEntries(new URLSearchParams(text));
  return null;
}

const describe = (v: unknown) => (Array.isArray(v) ? "list" : v === null ? "null" : typeof v === "object" ? "object" : typeof v);

/** The keys under `path` (["repository", "owner"]) of a value, or [] when the path leads nowhere. */
export function keysAt(value: unknown, path: string[]): Completion[] {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== "object") return [];
    at = (at as Record<string, unknown>)[key];
  }
  if (at === null || typeof at !== "object" || Array.isArray(at)) return [];
  return Object.entries(at as Record<string, unknown>).map(([k, v]) => ({ label: k, type: "property", detail: describe(v) }));
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function sampleCompletions(current: () => SampleRequest) {
  return (context: CompletionContext): CompletionResult | null => {
    const sample = current();
    const header = context.matchBefore(/headers\[["']?[\w-]*$/);
    if (header) {
      const quote = /\[(["']?)/.exec(header.text)![1] || '"';
      const from = header.from + header.text.indexOf("[") + 1;
      const names = Object.keys(parseHeaderLines(sample.headers));
      return {
        from,
        options: names.map((n) => ({ label: `${quote}${n}${quote}]`, displayLabel: n, type: "property", detail: "header" })),
        validFor: /^["']?[\w-]*$/,
      };
    }
    const dotted = context.matchBefore(/\b(body|query)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.([A-Za-z0-9_]*)$/);
    if (!dotted) return null;
    const [, root, middle, partial] = /^(body|query)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.([A-Za-z0-9_]*)$/.exec(dotted.text)!;
    const source = root === "body" ? sampleBody(sample) : Object.fromEntries(new URLSearchParams(sample.query));
    const path = middle!.split(".").filter(Boolean);
    const from = dotted.to - partial!.length;
    // Keys that are not identifiers need `body["a-b"]`: the dot is replaced by the subscript.
    const options = keysAt(source, path).map((o) =>
      IDENT.test(o.label)
        ? o
        : {
            ...o,
            apply: (view: EditorView, _: Completion, start: number, end: number) =>
              view.dispatch({ changes: { from: start - 1, to: end, insert: `[${JSON.stringify(o.label)}]` } }),
          },
    );
    return { from, options, validFor: /^\w*$/ };
  };
}
