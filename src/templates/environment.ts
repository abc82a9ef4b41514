// The registry of everything a template can name: filters and tests (checked at compile time, as
// Jinja does) and the `env` object compiled code receives.
import { fail } from "./errors.ts";
import { fromCloudEvent } from "./cloudevents.ts";
import { HUMANIZE_FILTERS } from "./filters/humanize.ts";
import { PREFECT_FILTERS } from "./filters/prefect.ts";
import { makeSequenceFilters, type Filter } from "./filters/sequences.ts";
import { STRING_FILTERS } from "./filters/strings.ts";
import { makeTests } from "./filters/tests.ts";
import { toJson } from "./filters/tojson.ts";

export const filters = new Map<string, Filter>();
export const tests = new Map<string, Filter>();

for (const [name, f] of [
  ...STRING_FILTERS,
  ...makeSequenceFilters(filters, tests),
  ...PREFECT_FILTERS,
  ...HUMANIZE_FILTERS,
  ["tojson", toJson] as [string, Filter],
  ["from_cloud_event", fromCloudEvent as Filter] as [string, Filter],
]) {
  filters.set(name, f);
}
filters.set("count", filters.get("length")!);
for (const [name, t] of makeTests(filters, tests)) tests.set(name, t);

export const filterNames: ReadonlySet<string> = new Set(filters.keys());
export const testNames: ReadonlySet<string> = new Set(tests.keys());

/** What compiled code calls `env`: filter and test lookup only (no loaders, no extensions). */
export const env = {
  opts: { autoescape: false },
  getFilter: (name: string) => filters.get(name) ?? fail(`No filter named '${name}'.`),
  getTest: (name: string) => tests.get(name) ?? fail(`No test named '${name}'.`),
};
