// Jinja's global functions and the helper objects they return. Every function a template may call
// is registered in `callables`; the sandbox refuses to call anything else.
import { bind, splitArgs } from "./args.ts";
import { fail, limit } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import { bigOf, isInt, mkInt, num, Opaque, PyInt, pyRepr, pyStr, typeName, type Dict } from "./python.ts";

export const callables = new WeakSet<Function>();
export const callable = <F extends Function>(f: F): F => (callables.add(f), f);

const blockedName = (name: string) => name.startsWith("_") || name === "constructor" || name === "prototype";

export class Loop extends Opaque {
  constructor(
    private readonly items: unknown[],
    private readonly i: number,
  ) {
    super();
  }
  attr(name: string): unknown {
    const { items, i } = this;
    switch (name) {
      case "index":
        return i + 1;
      case "index0":
        return i;
      case "revindex":
        return items.length - i;
      case "revindex0":
        return items.length - i - 1;
      case "first":
        return i === 0;
      case "last":
        return i === items.length - 1;
      case "length":
        return items.length;
      case "depth":
        return 1;
      case "depth0":
        return 0;
      case "previtem":
        return i > 0 ? items[i - 1] : undefined;
      case "nextitem":
        return i < items.length - 1 ? items[i + 1] : undefined;
    }
    return undefined;
  }
  call(name: string, args: unknown[]): unknown {
    if (name !== "cycle") return fail(`loop has no method '${name}'`);
    if (args.length === 0) fail("no items for cycling given");
    return args[this.i % args.length];
  }
  repr(): string {
    return `<LoopContext ${this.i + 1}/${this.items.length}>`;
  }
}

export class Cycler extends Opaque {
  private pos = 0;
  constructor(private readonly items: unknown[]) {
    super();
  }
  attr(name: string): unknown {
    return name === "current" ? this.items[this.pos] : undefined;
  }
  call(name: string): unknown {
    if (name === "reset") return void (this.pos = 0);
    if (name !== "next") return fail(`cycler has no method '${name}'`);
    const v = this.items[this.pos];
    this.pos = (this.pos + 1) % this.items.length;
    return v;
  }
  repr(): string {
    return "<Cycler>";
  }
}

/** `namespace()`: the one object a template may assign attributes to (`{% set ns.x = 1 %}`). */
export class Namespace extends Opaque {
  readonly data: Dict = Object.create(null);
  attr(name: string): unknown {
    return Object.hasOwn(this.data, name) ? this.data[name] : undefined;
  }
  set(name: string, value: unknown): void {
    if (blockedName(name) || name === "__proto__") fail(`cannot set attribute '${name}' of a namespace`);
    this.data[name] = value;
  }
  call(name: string): unknown {
    return fail(`namespace has no method '${name}'`);
  }
  repr(): string {
    return `<Namespace ${pyRepr({ ...this.data })}>`;
  }
}

export function range(...args: unknown[]): unknown[] {
  const [positional] = splitArgs(args);
  if (positional.length === 0 || positional.length > 3) fail(`range expected 1 to 3 arguments, got ${positional.length}`);
  for (const a of positional) if (!isInt(a) && typeof a !== "boolean") fail(`'${typeName(a)}' object cannot be interpreted as an integer`);
  // Exact, as Python's range is, also past 2^53 (a range over a sender's 64-bit ids).
  const [start, stop, step] =
    positional.length === 1
      ? [0n, bigOf(positional[0]), 1n]
      : [bigOf(positional[0]), bigOf(positional[1]), positional.length === 3 ? bigOf(positional[2]) : 1n];
  if (step === 0n) fail("range() arg 3 must not be zero");
  const span = step > 0n ? stop - start : start - stop;
  const size = step > 0n ? step : -step;
  const count = span <= 0n ? 0n : (span + size - 1n) / size;
  // Prefect's _check_template_range: OverflowError past MAX_TEMPLATE_RANGE.
  if (count > BigInt(LIMITS.rangeItems)) limit(`range too big: the sandbox blocks ranges larger than ${LIMITS.rangeItems} items`);
  if (positional.every((a) => !(a instanceof PyInt))) {
    const [from, by] = [Number(start), Number(step)];
    return Array.from({ length: Number(count) }, (_, i) => from + i * by);
  }
  return Array.from({ length: Number(count) }, (_, i) => mkInt(start + BigInt(i) * step));
}

const WORDS =
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua".split(" ");

function lipsum(...args: unknown[]): string {
  const [n, html, min, max] = bind("lipsum", args, [
    ["n", 5],
    ["html", true],
    ["min", 20],
    ["max", 100],
  ]);
  const paragraphs = Math.min(num(n), 100);
  const lo = Math.min(num(min), 1000);
  const hi = Math.max(lo, Math.min(num(max), 1000));
  const out: string[] = [];
  for (let p = 0; p < paragraphs; p++) {
    const count = lo + Math.floor(Math.random() * (hi - lo + 1));
    const words = Array.from({ length: count }, () => WORDS[Math.floor(Math.random() * WORDS.length)]!);
    const text = words.join(" ");
    out.push(text.charAt(0).toUpperCase() + text.slice(1) + ".");
  }
  return html === true ? out.map((p) => `<p>${p}</p>`).join("\n") : out.join("\n\n");
}

function joiner(...args: unknown[]): Function {
  const [sep] = bind("joiner", args, [["sep", ", "]]);
  let used = false;
  return callable(() => (used ? pyStr(sep) : ((used = true), "")));
}

export const GLOBALS = new Map<string, unknown>([
  ["range", callable(range)],
  ["lipsum", callable(lipsum)],
  [
    "dict",
    callable((...args: unknown[]) => {
      const [positional, kw] = splitArgs(args);
      if (positional.length) fail("dict() takes keyword arguments only in templates");
      return kw;
    }),
  ],
  [
    "cycler",
    callable((...args: unknown[]) => {
      if (args.length === 0) fail("cycler() needs at least one item");
      return new Cycler(args);
    }),
  ],
  ["joiner", callable(joiner)],
  [
    "namespace",
    callable((...args: unknown[]) => {
      const [positional, kw] = splitArgs(args);
      const ns = new Namespace();
      for (const p of positional)
        if (p && typeof p === "object" && !Array.isArray(p)) for (const k of Object.keys(p)) ns.set(k, (p as Dict)[k]);
      for (const k of Object.keys(kw)) ns.set(k, kw[k]);
      return ns;
    }),
  ],
]);

export { blockedName };
