// Prefect's automation object, as the API takes and returns it: a trigger (what to watch for) and
// the actions to run when it fires or resolves. These are the parsed, defaulted shapes; parsing and
// validation of a client's JSON live in validate.ts.
import type { Event } from "../events/model.ts";

export type Posture = "Reactive" | "Proactive";

/** Labels to match on a resource: each listed label must match; a list of values is ORed; globs and `!` as in event filters. */
export type ResourceSpecification = Record<string, string | string[]>;

export interface EventTrigger {
  type: "event";
  id: string;
  match: ResourceSpecification;
  /** One spec, or a list of specs each satisfied by some related resource. */
  match_related: ResourceSpecification | ResourceSpecification[];
  /** Event name patterns that open a window (arm the trigger). */
  after: string[];
  /** Event name patterns that are counted; empty means any event. */
  expect: string[];
  /** Labels whose values split the trigger's state into independent buckets. */
  for_each: string[];
  posture: Posture;
  threshold: number;
  /** The window, in seconds. */
  within: number;
}

export interface CompoundTrigger {
  type: "compound";
  id: string;
  require: "any" | "all" | number;
  /** Seconds, or null for no limit. */
  within: number | null;
  triggers: Trigger[];
}

export interface SequenceTrigger {
  type: "sequence";
  id: string;
  within: number | null;
  triggers: Trigger[];
}

export type Trigger = EventTrigger | CompoundTrigger | SequenceTrigger;

/** Names a destination: Prefect's `block_document_id`, or Inlet's `destination_id` (the same id space). */
export interface DestinationRef {
  block_document_id?: string | null;
  destination_id?: string | null;
}

export interface DoNothingAction {
  type: "do-nothing";
}

export interface SendNotificationAction extends DestinationRef {
  type: "send-notification";
  /** Templates. */
  subject: string;
  body: string;
}

export interface CallWebhookAction extends DestinationRef {
  type: "call-webhook";
  /** A template; sent as the request body. */
  payload: string;
}

export interface AutomationStateAction {
  type: "pause-automation" | "resume-automation";
  source: "selected" | "inferred";
  /** Required with `selected`, absent with `inferred`. */
  automation_id: string | null;
}

export type Action = DoNothingAction | SendNotificationAction | CallWebhookAction | AutomationStateAction;

export const ACTION_TYPES = ["do-nothing", "send-notification", "call-webhook", "pause-automation", "resume-automation"] as const;

/** What a client writes (create, PUT). */
export interface AutomationCore {
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  trigger: Trigger;
  actions: Action[];
  actions_on_trigger: Action[];
  actions_on_resolve: Action[];
  /** The resource the automation belongs to (Prefect's `owner_resource`): set on create only; `DELETE /api/automations/owned-by/{id}` deletes by it. */
  owner_resource?: string | null;
}

/** As stored and returned. */
export interface Automation extends AutomationCore {
  id: string;
  /** ISO-8601. */
  created: string;
  updated: string;
}

export type TriggerState = "Triggered" | "Resolved";

/**
 * One firing of an automation's trigger, as the engine hands it to the action outbox (and as
 * templates see it as `firing`).
 */
export interface Firing {
  id: string;
  automation: Automation;
  /** Triggered: `actions` and `actions_on_trigger` run; Resolved: `actions_on_resolve`. */
  state: TriggerState;
  /** When it fired, epoch milliseconds. */
  occurred: number;
  /** The event that brought it about; for a Proactive deadline, the last matching event (null when none came). */
  triggering_event: Event | null;
  /** The `for_each` labels of the bucket that fired. */
  triggering_labels: Record<string, string>;
  /** The `prefect-cloud.automation.triggered` / `.resolved` event recorded with it. */
  state_event: Event;
}

/** The resource id of an automation in the events Inlet records about it. */
export const automationResourceId = (id: string) => `prefect-cloud.automation.${id}`;

/** What the engine knows of an automation now, for the API's answers and the admin UI. */
export interface AutomationStatus {
  /** When its trigger last fired (ISO-8601), or null. */
  last_triggered: string | null;
  /** When it last resolved (ISO-8601), or null. */
  last_resolved: string | null;
  /**
   * A Proactive trigger's state: `waiting` (the expected events may still come in time) or `down`
   * (the deadline passed; `since` is when). Null for a Reactive trigger.
   */
  proactive: { state: "waiting" | "down"; since: string } | null;
}

/** One firing a dry run found: what would have happened, with nothing recorded or sent. */
export interface DryRunFiring {
  state: TriggerState;
  /** ISO-8601. */
  occurred: string;
  /** The event that brought it about; for a Proactive deadline, the last matching event (null when none came). */
  event_id: string | null;
  triggering_labels: Record<string, string>;
}

export interface DryRunResult {
  /** How many stored events were replayed through the trigger. */
  evaluated: number;
  firings: DryRunFiring[];
}

/** The engine as the API sees it. */
export interface AutomationEngine {
  /** Null when there is no such automation. */
  statusOf(id: string): AutomationStatus | null;
  /** Replays the most recent `limit` stored events through the trigger of `automation`, in order. */
  dryRun(automation: AutomationCore, opts: { limit: number }): Promise<DryRunResult>;
}
