// The templates module's public API: compile (the app keeps compiled templates in one
// TemplateCache, keyed by source), validate on save, render per request. Rendering is synchronous and bounded by the budgets in limits.ts.
import { compileToCode, type CompiledCode } from "./compiler.ts";
import { env, filterNames, testNames } from "./environment.ts";
import { TemplateError, type TemplateErrorReason } from "./errors.ts";
import { setClock } from "./filters/humanize.ts";
import { LIMITS, restoreBudget, startBudget } from "./limits.ts";
import { headerMapping } from "./python.ts";
import { printing, runtime, TemplateContext } from "./sandbox.ts";

export { TemplateError, type TemplateErrorReason };
export { LIMITS } from "./limits.ts";

export interface TemplateRequest {
  method: string;
  headers: Record<string, string>;
  body: unknown;
  query: Record<string, string>;
}

export interface CompiledTemplate {
  source: string;
  /** null when the source has no `{{` or `{%`: Prefect returns such a template unrendered. */
  code: CompiledCode | null;
}

export interface RenderOptions {
  /** Render deadline in milliseconds (default LIMITS.deadlineMs). */
  deadlineMs?: number;
  /** The clock the humanize filters read (tests pin it). */
  now?: () => Date;
}

// Prefect's maybe_template().
const isTemplate = (source: string) => source.includes("{{") || source.includes("{%");

/** Compiles a template, every time: the app compiles through its TemplateCache instead. */
export function compileTemplate(source: string): CompiledTemplate {
  if (source.length > LIMITS.templateChars) {
    throw new TemplateError("template_limit", `the template is longer than ${LIMITS.templateChars} characters`);
  }
  return { source, code: isTemplate(source) ? compileToCode(source, filterNames, testNames) : null };
}

/** Where a template does not compile (its line, when known), or null when it does. */
export function validateTemplate(
  source: string,
  compile: (source: string) => CompiledTemplate = compileTemplate,
): { line: number | null; message: string } | null {
  try {
    compile(source);
    return null;
  } catch (e) {
    if (e instanceof TemplateError) return { line: e.line, message: e.detail };
    throw e;
  }
}

/**
 * Compiled templates by source text, the least recently used dropped past `size`. One per app
 * (the context builds it), shared by ingestion, the playground and validation on save: a
 * webhook's request costs a Map lookup, and a template saved moments ago is compiled already.
 */
export class TemplateCache {
  private readonly entries = new Map<string, CompiledTemplate>();

  constructor(readonly size: number) {}

  compile(source: string): CompiledTemplate {
    const hit = this.entries.get(source);
    if (hit) {
      this.entries.delete(source);
      this.entries.set(source, hit);
      return hit;
    }
    const compiled = compileTemplate(source);
    this.entries.set(source, compiled);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    return compiled;
  }

  validate(source: string): { line: number | null; message: string } | null {
    return validateTemplate(source, (s) => this.compile(s));
  }
}

function headerMap(headers: Record<string, string>): Record<string, unknown> {
  const map = headerMapping();
  for (const k of Object.keys(headers)) map[k.toLowerCase()] = headers[k]!;
  return map;
}

export function renderTemplate(tpl: CompiledTemplate, request: TemplateRequest, options: RenderOptions = {}): string {
  if (!tpl.code) return tpl.source;
  return run(
    tpl.code,
    { method: request.method, headers: headerMap(request.headers), body: request.body, query: request.query },
    options,
    "json",
  );
}

/**
 * Renders with the names of `vars` (an action's context: automation, event, labels, firing) under
 * the same budgets as a webhook's template. `print: "text"` prints strings as they are (a
 * notification's subject and body); "json", the default, escapes them as JSON string content.
 */
export function renderWithContext(
  tpl: CompiledTemplate,
  vars: Record<string, unknown>,
  options: RenderOptions & { print?: "json" | "text" } = {},
): string {
  if (!tpl.code) return tpl.source;
  return run(tpl.code, vars, options, options.print ?? "json");
}

function run(code: CompiledCode, vars: Record<string, unknown>, options: RenderOptions, mode: "json" | "text"): string {
  const context = new TemplateContext(vars, code.blocks);
  const frame = new runtime.Frame();
  frame.topLevel = true;
  const previous = startBudget(options.deadlineMs ?? LIMITS.deadlineMs);
  const restoreClock = options.now ? setClock(options.now) : null;
  const previousMode = printing.mode;
  printing.mode = mode;
  let output = "";
  try {
    code.root(env, context, frame, runtime, (err: unknown, res: string) => {
      if (err) throw err;
      output = res;
    });
  } catch (e) {
    throw e instanceof TemplateError ? e : runtime.handleError(e, -1);
  } finally {
    printing.mode = previousMode;
    restoreBudget(previous);
    restoreClock?.();
  }
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short outputs skip the byte count.
  if (output.length * 3 > LIMITS.outputBytes && Buffer.byteLength(output) > LIMITS.outputBytes) {
    throw new TemplateError("template_limit", `the rendered output is larger than ${LIMITS.outputBytes} bytes`);
  }
  return output;
}
