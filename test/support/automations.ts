// Automation bodies for tests: a valid one to start from, and Prefect Cloud's export shape.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Body = Record<string, unknown>;

/** An automation as a client writes it; `overrides` replace top-level fields. */
export function automationBody(overrides: Body = {}): Body {
  return {
    name: "deploy on push",
    description: "",
    enabled: true,
    tags: [],
    trigger: {
      type: "event",
      match: { "prefect.resource.id": "github.repo.*" },
      expect: ["github.push"],
      posture: "Reactive",
      threshold: 1,
      within: 0,
    },
    actions: [{ type: "do-nothing" }],
    ...overrides,
  };
}

/** An event trigger with `fields` set (on top of automationBody's). */
export function withTrigger(fields: Body, base: Body = automationBody()): Body {
  return { ...base, trigger: { ...(base.trigger as Body), ...fields } };
}

/** An automation as Prefect Cloud's API returns it (read-only and Cloud-only fields included). */
export function prefectCloudExport(): Body {
  return JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/automations/prefect-cloud-export.json"), "utf8"));
}
