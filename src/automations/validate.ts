// An automation from a client's JSON, in Prefect's shape (an automation exported from Prefect Cloud
// is taken as it is), checked and defaulted into the AutomationCore that is stored. Every refusal is
// a 422 naming the field. Fields Inlet does not keep (`id`, `created`, `status`, Prefect Cloud's
// `account` …) are ignored, so an answer of this API can be sent back unchanged.
import { invalid } from "../errors.ts";
import { bool, fieldError, given, object, optionalText, stringSet, text } from "./fields.ts";
import type { AutomationCore } from "./model.ts";
import { parseActions, type TemplateCheck } from "./validate-actions.ts";
import { parseTrigger, requireDistinctIds, TRIGGER_LIMITS } from "./validate-trigger.ts";

export const AUTOMATION_LIMITS = {
  nameChars: 200,
  descriptionChars: 4000,
  tags: 50,
  tagChars: 200,
  /** The stored JSON: it is also the payload of the automation's lifecycle events, which must fit an event. */
  bytes: 1_000_000,
} as const;

export interface ParseOptions {
  checkTemplate: TemplateCheck;
  /** For a PUT: the stored automation, whose optional fields stay when the body omits them (as Prefect). */
  current?: AutomationCore;
  /** Trigger ids for triggers that come without one. */
  newId?: () => string;
}

export function parseAutomation(body: unknown, opts: ParseOptions): AutomationCore {
  const raw = object(body, "body");
  const { checkTemplate, current } = opts;
  const newId = opts.newId ?? (() => crypto.randomUUID());
  if (!given(raw.name)) throw fieldError("name", "Field required");
  if (!given(raw.trigger)) throw fieldError("trigger", "Field required");
  const core: AutomationCore = {
    name: text(raw.name, "name", AUTOMATION_LIMITS.nameChars, { min: 1 }),
    description: optionalText(raw.description, "description", AUTOMATION_LIMITS.descriptionChars, current?.description ?? ""),
    enabled: given(raw.enabled) ? bool(raw.enabled, "enabled") : (current?.enabled ?? true),
    tags: given(raw.tags) ? stringSet(raw.tags, "tags", AUTOMATION_LIMITS.tags, AUTOMATION_LIMITS.tagChars) : (current?.tags ?? []),
    trigger: parseTrigger(raw.trigger, "trigger", 1, newId),
    actions: parseActions(raw.actions, "actions", null, checkTemplate),
    actions_on_trigger: parseActions(raw.actions_on_trigger, "actions_on_trigger", current?.actions_on_trigger ?? [], checkTemplate),
    actions_on_resolve: parseActions(raw.actions_on_resolve, "actions_on_resolve", current?.actions_on_resolve ?? [], checkTemplate),
    // As Prefect: given on create; a PUT keeps the stored one, whatever its body says.
    owner_resource: current
      ? (current.owner_resource ?? null)
      : given(raw.owner_resource)
        ? text(raw.owner_resource, "owner_resource", TRIGGER_LIMITS.labelChars, { min: 1 })
        : null,
  };
  requireDistinctIds(core.trigger, "trigger");
  if (Buffer.byteLength(JSON.stringify(core)) > AUTOMATION_LIMITS.bytes) {
    throw invalid(`body: the automation must be at most ${AUTOMATION_LIMITS.bytes} bytes as JSON`);
  }
  return core;
}

/** PATCH's body: `{"enabled": bool}`, as Prefect's. */
export function parseEnabledPatch(body: unknown): boolean {
  const raw = object(body, "body");
  if (!given(raw.enabled)) throw fieldError("enabled", "Field required");
  return bool(raw.enabled, "enabled");
}
