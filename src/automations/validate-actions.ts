// Actions from a client's JSON: the five Inlet runs, with Prefect's defaults. Prefect's other
// action types (run-deployment and the rest of its orchestration) are refused by name; fields
// Prefect exports that Inlet has no use for are dropped.
import { AppError } from "../errors.ts";
import { LIMITS } from "../templates/render.ts";
import { fieldError, given, list, object, text, uuid, type Json } from "./fields.ts";
import { ACTION_TYPES, type Action, type DestinationRef } from "./model.ts";

export const MAX_ACTIONS = 20;
const MAX_ID_CHARS = 100;

/** Prefect's default subject of a notification. */
export const DEFAULT_SUBJECT = "Prefect automated notification";

/** Checks a template on save: null when it compiles, else where and why not. */
export type TemplateCheck = (source: string) => { line: number | null; message: string } | null;

function template(value: unknown, field: string, fallback: string | null, check: TemplateCheck): string {
  if (!given(value) && fallback === null) throw fieldError(field, "Field required");
  const source = given(value) ? text(value, field, LIMITS.templateChars) : fallback!;
  const problem = check(source);
  if (problem) throw new AppError("template_invalid", `${field}: ${problem.message}`, { field, line: problem.line });
  return source;
}

/** `block_document_id` (Prefect) or `destination_id` (Inlet): one is needed; both must agree. */
function destination(raw: Json, field: string): DestinationRef {
  const block = given(raw.block_document_id) ? text(raw.block_document_id, `${field}.block_document_id`, MAX_ID_CHARS, { min: 1 }) : null;
  const dest = given(raw.destination_id) ? text(raw.destination_id, `${field}.destination_id`, MAX_ID_CHARS, { min: 1 }) : null;
  if (!block && !dest) throw fieldError(`${field}.block_document_id`, "Field required (or destination_id)");
  if (block && dest && block !== dest) throw fieldError(`${field}.destination_id`, "names another destination than block_document_id");
  return block ? { block_document_id: block } : { destination_id: dest };
}

function automationState(raw: Json, field: string, type: "pause-automation" | "resume-automation"): Action {
  const source = given(raw.source) ? raw.source : "selected";
  if (source !== "selected" && source !== "inferred") throw fieldError(`${field}.source`, `must be "selected" or "inferred"`);
  if (source === "inferred") {
    if (given(raw.automation_id)) throw fieldError(`${field}.automation_id`, 'must not be given with source "inferred"');
    return { type, source, automation_id: null };
  }
  if (!given(raw.automation_id)) throw fieldError(`${field}.automation_id`, 'Field required with source "selected"');
  return { type, source, automation_id: uuid(raw.automation_id, `${field}.automation_id`) };
}

export function parseAction(value: unknown, field: string, check: TemplateCheck): Action {
  const raw = object(value, field);
  const type = raw.type;
  if (typeof type !== "string") throw fieldError(`${field}.type`, "Field required");
  switch (type) {
    case "do-nothing":
      return { type };
    case "send-notification":
      return {
        type,
        ...destination(raw, field),
        subject: template(raw.subject, `${field}.subject`, DEFAULT_SUBJECT, check),
        body: template(raw.body, `${field}.body`, null, check),
      };
    case "call-webhook":
      return { type, ...destination(raw, field), payload: template(raw.payload, `${field}.payload`, "", check) };
    case "pause-automation":
    case "resume-automation":
      return automationState(raw, field, type);
  }
  const shown = type.slice(0, 100);
  throw new AppError("unsupported_action", `${field}.type: Inlet does not run "${shown}" actions (it runs ${ACTION_TYPES.join(", ")})`, {
    field: `${field}.type`,
  });
}

/** A list of actions at `field`; absent or null is `fallback` (required lists have none). */
export function parseActions(value: unknown, field: string, fallback: Action[] | null, check: TemplateCheck): Action[] {
  if (!given(value)) {
    if (fallback === null) throw fieldError(field, "Field required (it may be an empty list)");
    return fallback;
  }
  return list(value, field, MAX_ACTIONS).map((item, i) => parseAction(item, `${field}[${i}]`, check));
}
