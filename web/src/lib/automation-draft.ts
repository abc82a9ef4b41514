// The automation editor's draft: the automation's JSON as a plain object. The form reads and writes
// single paths in it, so whatever the form does not show (compound triggers, match_related lists,
// tags…) is kept as it is; the JSON view shows and parses the same object.
import { parseJsonExact } from "../../../src/json.ts";
import type { Automation } from "../api.ts";

export type Draft = Record<string, unknown>;
export type Path = (string | number)[];

/** The related resource a webhook's events carry. */
export const webhookResourceId = (id: string) => `prefect-cloud.webhook.${id}`;

export interface Prefill {
  /** An event name to expect. */
  event?: string;
  /** A resource id to match. */
  resource?: string;
  /** A webhook whose events are matched as a related resource. */
  webhook?: { id: string; name: string };
}

/** A new automation: one Reactive event trigger, pre-filled from an event or a webhook. */
export function newDraft(p: Prefill = {}): Draft {
  const match: Record<string, string> = {};
  if (p.resource) match["prefect.resource.id"] = p.resource;
  const name = p.event ? `When ${p.event} arrives` : p.webhook ? `When ${p.webhook.name} receives an event` : "";
  return {
    name,
    description: "",
    enabled: true,
    trigger: {
      type: "event",
      match,
      match_related: p.webhook ? { "prefect.resource.id": webhookResourceId(p.webhook.id), "prefect.resource.role": "webhook" } : {},
      after: [],
      expect: p.event ? [p.event] : [],
      for_each: [],
      posture: "Reactive",
      threshold: 1,
      within: 0,
    },
    actions: [],
  };
}

/** What a client writes back: the stored automation without its server-owned fields. */
export function draftOf(a: Automation & { status?: unknown }): Draft {
  const { id: _id, created: _c, updated: _u, status: _s, ...core } = a;
  return core as Draft;
}

export function getIn(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** A copy of `value` with `path` set (or removed, for `undefined`); containers on the way are copied, not mutated. */
export function setIn<T>(value: T, path: Path, next: unknown): T {
  if (path.length === 0) return next as T;
  const [key, ...rest] = path;
  const base = value !== null && typeof value === "object" ? value : typeof key === "number" ? [] : {};
  const copy = (Array.isArray(base) ? [...base] : { ...(base as object) }) as Record<string | number, unknown>;
  const child = setIn(copy[key!], rest, next);
  if (child === undefined && !Array.isArray(copy)) delete copy[key!];
  else copy[key!] = child;
  return copy as T;
}

/** "a, b" or one per line → ["a", "b"]. */
export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A list field, or a label value that may be one string or a list, as the form shows it. */
export function showList(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  return typeof value === "string" ? value : "";
}

/** A label value as Prefect takes it: absent, one string, or a list (ORed). */
export function labelValue(text: string): string | string[] | undefined {
  const items = parseList(text);
  return items.length === 0 ? undefined : items.length === 1 ? items[0] : items;
}

export type Parsed = { ok: true; draft: Draft } | { ok: false; message: string };

/** The JSON view's text as a draft, or a message that says where it is wrong. */
export function parseDraft(text: string): Parsed {
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch (e) {
    return { ok: false, message: `The JSON is not valid: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, message: "The JSON must be one object: the automation." };
  return { ok: true, draft: value as Draft };
}

export const showDraft = (d: Draft) => JSON.stringify(d, null, 2);

/** A field path with its indexes as `.0`: `actions[0].payload` → `actions.0.payload`. */
export const normalPath = (field: string) => field.replace(/\[(\d+)\]/g, ".$1");

/**
 * The field a server 422 names: the error's `field` when it has one, else the path its message
 * starts with (`trigger.within: …`, `actions[0].payload: …`); null when it names none.
 */
export function fieldOfError(message: string, field?: string): string | null {
  if (field) return normalPath(field);
  const m = /^([A-Za-z_][\w]*(?:(?:\.[\w]+)|(?:\[\d+\]))*)\s*:/.exec(message);
  return m ? normalPath(m[1]!) : null;
}

/** Whether an error about `field` belongs beside the form control for `control` (itself or inside it). */
export const errorBelongsTo = (field: string | null, control: string) =>
  field !== null && (field === control || field.startsWith(control + "."));

/** "600" seconds → "10 min", for the hint beside a duration. */
export function humanSeconds(s: number): string {
  if (!Number.isFinite(s) || s <= 0) return "";
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** The action lists the form edits, with their headings. */
export const ACTION_LISTS = [
  ["actions", "When it fires"],
  ["actions_on_resolve", "When it resolves"],
] as const;

const TRIGGER_CONTROLS = ["expect", "match", "match_related", "posture", "threshold", "within", "after", "for_each"];
const ACTION_CONTROLS = ["type", "destination_id", "block_document_id", "subject", "body", "payload", "source", "automation_id"];

/** Every path the form has a control for (an action card stands for the action as a whole). */
export function formControls(d: Draft): string[] {
  const out = ["name", "description", "trigger"];
  if (getIn(d, ["trigger", "type"]) === "event") out.push(...TRIGGER_CONTROLS.map((c) => `trigger.${c}`));
  for (const [list] of ACTION_LISTS) {
    const actions = getIn(d, [list]);
    if (!Array.isArray(actions)) continue;
    out.push(list);
    actions.forEach((_, i) => out.push(`${list}.${i}`, ...ACTION_CONTROLS.map((c) => `${list}.${i}.${c}`)));
  }
  return out;
}

/** The form control an error belongs beside: the deepest one its path falls under, or null (then it is shown above the form). */
export function controlFor(field: string | null, controls: string[]): string | null {
  let best: string | null = null;
  for (const c of controls) if (errorBelongsTo(field, c) && (best === null || c.length > best.length)) best = c;
  return best;
}
