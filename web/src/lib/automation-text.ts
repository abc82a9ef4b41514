// Automations in words, for the list: what the trigger waits for.
import type { Automation } from "../api.ts";
import { humanSeconds } from "./automation-draft.ts";

type Trigger = Automation["trigger"];

const names = (list: string[]) => (list.length === 0 ? "any event" : list.join(" or "));

export function describeTrigger(t: Trigger): string {
  if (t.type === "compound") {
    const req = t.require === "any" ? "any" : t.require === "all" ? "all" : String(t.require);
    return `Compound: ${req} of ${t.triggers.length} triggers`;
  }
  if (t.type === "sequence") return `Sequence of ${t.triggers.length} triggers`;
  const within = humanSeconds(t.within);
  const where = t.match["prefect.resource.id"] ? ` on ${[t.match["prefect.resource.id"]].flat().join(" or ")}` : "";
  if (t.posture === "Proactive")
    return `Alert when fewer than ${t.threshold} × ${names(t.expect)}${where} arrive within ${within || "10 s"}`;
  const count = t.threshold > 1 ? `${t.threshold} × ` : "";
  return `On ${count}${names(t.expect)}${where}${within && t.threshold > 1 ? ` within ${within}` : ""}`;
}
