// What one attempt of one delivery does, decided without touching the deliveries table: render the
// action (first attempt only), format it for its destination, send it, and say what the delivery
// becomes. The worker records the result.
import type { Action, AutomationStateAction } from "../../automations/model.ts";
import type { AutomationStore } from "../../automations/store/automations.ts";
import type { TemplateCache } from "../../templates/render.ts";
import { formatRequest } from "../destinations/format.ts";
import type { Destination } from "../destinations/model.ts";
import { RenderFailure, renderAction, type Rendered } from "../render.ts";
import type { DeliveryRow, Outcome } from "../store/deliveries.ts";
import type { ActionContext } from "../store/outbox.ts";
import { MAX_ATTEMPTS, nextAttemptAt } from "./schedule.ts";
import { send, type Attempt, type SendOptions } from "./send.ts";

export interface RunDeps {
  destination: (id: string) => Destination | null;
  automations: Pick<AutomationStore, "setEnabled" | "get">;
  templates: TemplateCache;
  send?: typeof send;
  random: () => number;
}

export interface RunResult {
  outcome: Outcome;
  /** Set when the receiver answered 410: the destination to disable. */
  disableDestination: string | null;
  statusCode: number | null;
}

const AUTOMATION_PREFIX = "prefect-cloud.automation.";

/** The automation a pause/resume acts on: the given id, or the event's first automation resource. */
function targetOf(action: AutomationStateAction, context: ActionContext): string | null {
  if (action.source === "selected") return action.automation_id;
  const resources = context.event ? [context.event.resource, ...context.event.related] : [];
  const id = resources.map((r) => r["prefect.resource.id"] ?? "").find((r) => r.startsWith(AUTOMATION_PREFIX));
  return id ? id.slice(AUTOMATION_PREFIX.length) : null;
}

const finished = (row: DeliveryRow, now: number, ok: boolean, reason: string | null, note: string | null): RunResult => ({
  outcome: {
    deliveryId: row.id,
    attempt: { at: now, statusCode: null, durationMs: 0, error: ok ? null : reason, response: note, request: null },
    status: ok ? "delivered" : "failed",
    nextAttempt: null,
    request: null,
    reason: ok ? null : reason,
    at: now,
  },
  disableDestination: null,
  statusCode: null,
});

export async function runDelivery(row: DeliveryRow, deps: RunDeps, opts: SendOptions): Promise<RunResult> {
  const now = opts.now();
  const action = JSON.parse(row.action) as Action;
  const context = JSON.parse(row.context) as ActionContext;
  if (action.type === "do-nothing") return finished(row, now, true, null, null);
  if (action.type === "pause-automation" || action.type === "resume-automation") {
    const target = targetOf(action, context);
    if (!target) return finished(row, now, false, "no automation to act on: the event names none", null);
    const enabling = action.type === "resume-automation";
    const done = deps.automations.setEnabled(target, enabling, enabling ? null : `paused by automation ${context.automation.id}`);
    if (!done) return finished(row, now, false, `automation ${target} not found`, null);
    return finished(row, now, true, null, `${enabling ? "resumed" : "paused"} automation ${target}`);
  }

  const destination = row.destinationId ? deps.destination(row.destinationId) : null;
  if (!destination) return finished(row, now, false, "destination not found", null);
  if (!destination.enabled) return finished(row, now, false, `destination disabled: ${destination.disabled_reason ?? "by a person"}`, null);
  if (destination.secrets_unreadable)
    return finished(row, now, false, "the destination's secrets were sealed with another secrets.key: set them again", null);

  let rendered: Rendered;
  let firstRender: string | null = null;
  if (row.request) rendered = JSON.parse(row.request) as Rendered;
  else {
    try {
      rendered = renderAction(deps.templates, action, context, destination);
    } catch (e) {
      if (e instanceof RenderFailure) return finished(row, now, false, e.message, null);
      throw e;
    }
    firstRender = JSON.stringify(rendered);
  }
  const { outgoing, logged } = formatRequest(destination, rendered, row.id, now);
  const attempt: Attempt = await (deps.send ?? send)(outgoing, opts);
  const at = opts.now();
  const count = row.attemptCount + 1;
  const next = attempt.ok || attempt.final ? null : nextAttemptAt(count, at, attempt.retryAfterMs, deps.random);
  const status = attempt.ok ? "delivered" : next === null ? "failed" : "pending";
  const reason =
    status !== "failed"
      ? null
      : attempt.final === "gone"
        ? "the receiver answered 410 Gone: destination disabled"
        : attempt.final === "refused"
          ? (attempt.error ?? "address refused")
          : `gave up after ${Math.min(count, MAX_ATTEMPTS)} attempts: ${attempt.error}`;
  return {
    outcome: {
      deliveryId: row.id,
      attempt: {
        at: now,
        statusCode: attempt.statusCode,
        durationMs: attempt.durationMs,
        error: attempt.error,
        response: attempt.response,
        request: JSON.stringify(logged),
      },
      status,
      nextAttempt: next,
      request: firstRender,
      reason,
      at,
    },
    disableDestination: attempt.final === "gone" ? destination.id : null,
    statusCode: attempt.statusCode,
  };
}
