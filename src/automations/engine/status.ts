// What the engine knows of an automation now, for the API and the admin UI.
import { toIso } from "../../events/model.ts";
import type { Automation, AutomationStatus } from "../model.ts";
import type { FiringTimes } from "../store/state.ts";
import type { TriggerEvaluator } from "./evaluator.ts";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : toIso(ms));

export function statusOf(automation: Automation, times: FiringTimes | undefined, evaluator: TriggerEvaluator | null): AutomationStatus {
  const trigger = automation.trigger;
  let proactive: AutomationStatus["proactive"] = null;
  if (trigger.type === "event" && trigger.posture === "Proactive") {
    const down = evaluator?.downSince() ?? null;
    proactive =
      down !== null
        ? { state: "down", since: toIso(down) }
        : { state: "waiting", since: iso(Math.max(Date.parse(automation.updated), times?.last_resolved ?? 0))! };
  }
  return { last_triggered: iso(times?.last_triggered), last_resolved: iso(times?.last_resolved), proactive };
}
