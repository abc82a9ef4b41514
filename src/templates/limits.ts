// Budgets for one render. Rendering is synchronous and runs in the HTTP handler's thread, so the
// guards are in-thread counters (cheap: an increment and a compare; the clock is read every 64
// steps) rather than a worker, whose round trip cost 0.35–2.8 ms when measured.
import { limit } from "./errors.ts";

export const LIMITS = {
  /** Prefect's MAX_TEMPLATE_RANGE. */
  rangeItems: 100,
  /** Prefect's MAX_LOOP_COUNT and MAX_NESTED_LOOP_DEPTH, checked when a template is compiled. */
  forLoops: 10,
  forDepth: 2,
  /** The longest template the API accepts (and compiles). */
  templateChars: 65_536,
  deadlineMs: 100,
  /** Loop iterations, calls, lookups and (per 256 chars) printed text. */
  steps: 2_000_000,
  /** Prefect's maximum serialized event size: an output larger than that cannot become an event. */
  outputBytes: 1_500_000,
  /** Any string built while rendering (outputs are strings too, so this bounds every buffer). */
  stringChars: 3_000_000,
  /** All text printed into any buffer (captures, macros) during one render. */
  printedChars: 12_000_000,
  macroDepth: 64,
} as const;

export interface Budget {
  deadline: number;
  steps: number;
  nextClock: number;
  printed: number;
  depth: number;
}

const now = () => performance.now();

/** The budget of the render in progress; renders never overlap (they are synchronous). */
export let budget: Budget = { deadline: Infinity, steps: 0, nextClock: Infinity, printed: 0, depth: 0 };

export function startBudget(deadlineMs: number): Budget {
  const previous = budget;
  budget = { deadline: now() + deadlineMs, steps: 0, nextClock: 64, printed: 0, depth: 0 };
  return previous;
}

export function restoreBudget(previous: Budget): void {
  budget = previous;
}

export function tick(cost = 1): void {
  const b = budget;
  b.steps += cost;
  if (b.steps >= b.nextClock) {
    b.nextClock = b.steps + 64;
    if (b.steps > LIMITS.steps) limit(`the template ran more than ${LIMITS.steps} steps`);
    if (now() > b.deadline) limit("the template took longer than its render deadline");
  }
}

/**
 * Charges the work of one native call over `n` characters (a search, a copy, a regular expression)
 * before it runs, a step per 256: a long string costs steps like the text it prints, and a loop of
 * such calls meets the step budget and the deadline as a loop of small ones does.
 */
export function chargeChars(n: number): void {
  if (n >= 256) tick(n >> 8);
}

/** Charges a pass over `n` items (a copy, a scan), a step per 16, before it runs. */
export function chargeItems(n: number): void {
  if (n >= 16) tick(n >> 4);
}

export function checkString<T extends string>(s: T): T {
  if (s.length > LIMITS.stringChars) limit(`a string grew beyond ${LIMITS.stringChars} characters`);
  return s;
}

/** Checked before building a string of `length` characters, so a huge one is never allocated. */
export function checkLength(length: number): void {
  if (!(length <= LIMITS.stringChars)) limit(`a string would grow beyond ${LIMITS.stringChars} characters`);
}
