// Which events an event trigger looks at, and which bucket an event falls into. Event names glob
// as Prefect's (fnmatchcase, whole name); labels match as event filters do (globs, `!`, lists; an
// absent label never matches).
import { globToRegExp } from "../../events/filter/glob.ts";
import { matchesLabelValue } from "../../events/filter/match.ts";
import { RESOURCE_ID, RESOURCE_ROLE, type Event, type Resource } from "../../events/model.ts";
import type { EventTrigger, ResourceSpecification } from "../model.ts";

type NameTest = (name: string) => boolean;

/**
 * A test for a set of name patterns. A negated pattern (`!x`) matches nothing: Prefect never looks
 * one up (since its PR #21977). An empty set matches every name when `emptyMatchesAll`.
 */
function nameTest(patterns: string[], emptyMatchesAll: boolean): NameTest {
  if (patterns.length === 0) return () => emptyMatchesAll;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (p.startsWith("!")) continue;
    const body = p.slice(0, -1);
    if (!/[*?[]/.test(p)) exact.add(p);
    else if (p.endsWith("*") && !/[*?[]/.test(body)) prefixes.push(body);
    else globs.push(globToRegExp(p));
  }
  return (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix)) || globs.some((re) => re.test(name));
}

const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

type ValueTest = (value: string | undefined) => boolean;

/** One expected label value, compiled once: a literal compares, a glob or a `!` goes through the filters' matcher. */
function valueTest(expected: string): ValueTest {
  if (!expected.startsWith("!")) {
    if (!/[*?[]/.test(expected)) return (value) => value === expected;
    const prefix = expected.slice(0, -1);
    if (expected.endsWith("*") && !/[*?[]/.test(prefix)) return (value) => value !== undefined && value.startsWith(prefix);
  }
  return (value) => matchesLabelValue(expected, value);
}

/** A label and the tests of its values (ORed). */
type SpecEntry = [string, ValueTest[]];

/** Every listed label matches (a list of values is ORed). */
function matchesSpec(spec: SpecEntry[], resource: Resource): boolean {
  for (const [label, tests] of spec) {
    const value = resource[label];
    if (!tests.some((test) => test(value))) return false;
  }
  return true;
}

const specEntries = (spec: ResourceSpecification): SpecEntry[] => Object.entries(spec).map(([k, v]) => [k, asList(v).map(valueTest)]);

/**
 * Prefect's `find_resource_label`, compiled once per label: `related:<role>:<label>` reads the label
 * of the first related resource in that role, any other name the primary resource's label; missing
 * is "".
 */
function labelReader(label: string): (event: Event) => string {
  if (!label.startsWith("related:")) return (event) => event.resource[label] ?? "";
  const rest = label.slice("related:".length);
  const colon = rest.indexOf(":");
  if (colon < 0) return () => "";
  const role = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  return (event) => event.related.find((r) => r[RESOURCE_ROLE] === role)?.[name] ?? "";
}

export interface TriggerMatcher {
  /** The event's name opens a window (is in `after`). */
  startsAfter: NameTest;
  /** The event's name is counted (is in `expect`; any name when `expect` is empty). */
  expects: NameTest;
  /** The event's resources satisfy `match` and `match_related`. */
  covers(event: Event): boolean;
  /** The bucket the event falls into. */
  keyOf(event: Event): string;
  /** The event's `for_each` labels (sorted by name), as firings report them. */
  labelsOf(event: Event): Record<string, string>;
}

export function compileMatcher(trigger: EventTrigger): TriggerMatcher {
  const match = specEntries(trigger.match);
  const related = (Array.isArray(trigger.match_related) ? trigger.match_related : [trigger.match_related])
    .map(specEntries)
    .filter((spec) => spec.length > 0);
  const forEach = [...trigger.for_each].sort();
  const readers = forEach.map(labelReader);
  const first = readers[0];
  return {
    startsAfter: nameTest(trigger.after, false),
    expects: nameTest(trigger.expect, true),
    covers(event) {
      if (match.length > 0 && !matchesSpec(match, event.resource)) return false;
      return related.every((spec) => event.related.some((r) => matchesSpec(spec, r)));
    },
    keyOf(event) {
      // No label: one bucket; one label (the common case): its value; several: their values as a JSON list.
      if (!first) return "";
      if (readers.length === 1) return first(event);
      return JSON.stringify(readers.map((read) => read(event)));
    },
    labelsOf(event) {
      const labels: Record<string, string> = {};
      forEach.forEach((label, i) => {
        labels[label] = readers[i]!(event);
      });
      return labels;
    },
  };
}
