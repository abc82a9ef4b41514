// The filters Prefect adds to Jinja's: `default` with Jinja's semantics (nunjucks' differs on
// null) and `flow_run_id` (prefect/server/events/jinja_filters.py).
import { bind } from "../args.ts";
import { isString, truthy } from "../python.ts";
import type { Filter } from "./sequences.ts";

const FLOW_RUN = /flow-run\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

/** Only an undefined value takes the default, unless `boolean` is true (then any falsy value). */
function byDefault(value: unknown, ...args: unknown[]): unknown {
  const [dflt, boolean] = bind("default", args, [
    ["default_value", ""],
    ["boolean", false],
  ]);
  if (value === undefined || (boolean === true && !truthy(value))) return dflt;
  return value;
}

export const PREFECT_FILTERS: [string, Filter][] = [
  ["default", byDefault],
  ["d", byDefault],
  [
    "flow_run_id",
    (value) => {
      if (!isString(value)) return null;
      const m = FLOW_RUN.exec(String(value));
      return m ? m[1] : null;
    },
  ],
];
