// Python-style argument binding for filters, tests, globals and methods: positional arguments, then
// keywords (nunjucks passes them as a trailing object marked `__keywords`), then defaults.
import { fail } from "./errors.ts";

export const REQUIRED = Symbol("required");

export function splitArgs(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === "object" && Object.hasOwn(last, "__keywords")) {
    const kw: Record<string, unknown> = {};
    for (const k of Object.keys(last)) if (k !== "__keywords") kw[k] = (last as Record<string, unknown>)[k];
    return [args.slice(0, -1), kw];
  }
  return [args, {}];
}

/** Binds `args` to `params` ([name, default] pairs, REQUIRED for no default). */
export function bind(fn: string, args: unknown[], params: [string, unknown][]): unknown[] {
  const last = args[args.length - 1];
  if (args.length <= params.length && (last === null || typeof last !== "object" || !Object.hasOwn(last, "__keywords"))) {
    const out = new Array<unknown>(params.length);
    for (let i = 0; i < params.length; i++) {
      const v = i < args.length ? args[i] : params[i]![1];
      out[i] = v === REQUIRED ? fail(`${fn}() missing required argument '${params[i]![0]}'`) : v;
    }
    return out;
  }
  const [positional, kw] = splitArgs(args);
  if (positional.length > params.length) {
    fail(`${fn}() takes at most ${params.length} argument(s) (${positional.length} given)`);
  }
  for (const k of Object.keys(kw)) {
    if (!params.some(([name]) => name === k)) fail(`${fn}() got an unexpected keyword argument '${k}'`);
  }
  return params.map(([name, dflt], i) => {
    const v = i < positional.length ? positional[i] : Object.hasOwn(kw, name) ? kw[name] : dflt;
    return v === REQUIRED ? fail(`${fn}() missing required argument '${name}'`) : v;
  });
}
