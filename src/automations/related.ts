// Which resources an automation names, for `GET /api/automations/related-to/{resource_id}`: the
// resource ids its trigger matches exactly (in `match` or `match_related`, at any depth) and the
// automations its pause and resume actions select. A glob names no particular resource, so
// `github.repo.*` relates the automation to nothing.
import { RESOURCE_ID } from "../events/model.ts";
import { automationResourceId, type AutomationCore, type ResourceSpecification, type Trigger } from "./model.ts";

const GLOB = /[*?[]/;

function idsIn(spec: ResourceSpecification): string[] {
  const value = spec[RESOURCE_ID];
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.filter((v) => !v.startsWith("!") && !GLOB.test(v));
}

function triggerIds(trigger: Trigger): string[] {
  if (trigger.type !== "event") return trigger.triggers.flatMap(triggerIds);
  const related = Array.isArray(trigger.match_related) ? trigger.match_related : [trigger.match_related];
  return [...idsIn(trigger.match), ...related.flatMap(idsIn)];
}

/** The resource ids an automation names, each once. */
export function relatedResourceIds(automation: AutomationCore): string[] {
  const selected = [...automation.actions, ...automation.actions_on_trigger, ...automation.actions_on_resolve].flatMap((action) =>
    (action.type === "pause-automation" || action.type === "resume-automation") && action.automation_id
      ? [automationResourceId(action.automation_id)]
      : [],
  );
  return [...new Set([...triggerIds(automation.trigger), ...selected])];
}
