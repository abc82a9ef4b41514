// An action's templates, rendered once with the context stored at firing time (automation, event,
// labels, firing). What renders here is kept with the delivery, so every retry sends the same text.
import type { ActionContext } from "./store/outbox.ts";
import type { Action } from "../automations/model.ts";
import { renderWithContext, TemplateError, type TemplateCache } from "../templates/render.ts";
import type { Destination } from "./destinations/model.ts";

/** Prefect's default subject of `send-notification`. */
export const DEFAULT_SUBJECT = "Prefect automated notification";

export interface Rendered {
  subject: string;
  body: string;
  /** call-webhook's payload; null for a notification. */
  payload: string | null;
  /** A webhook destination's body template, rendered; null without one. */
  webhook_body: string | null;
}

export class RenderFailure extends Error {}

function render(templates: TemplateCache, source: string, vars: Record<string, unknown>, print: "json" | "text", what: string): string {
  try {
    return renderWithContext(templates.compile(source), vars, { print });
  } catch (e) {
    if (e instanceof TemplateError) throw new RenderFailure(`Template rendering failed (${what}): ${e.message}`);
    throw e;
  }
}

/**
 * Renders a call-webhook's payload (as JSON-safe text, like a webhook's template) or a
 * notification's subject and body (as plain text), then the destination's body template, which
 * also sees `subject`, `body` and `payload`.
 */
export function renderAction(templates: TemplateCache, action: Action, context: ActionContext, destination: Destination | null): Rendered {
  const vars: Record<string, unknown> = { ...context };
  let rendered: Rendered;
  if (action.type === "call-webhook") {
    const payload = render(templates, action.payload ?? "", vars, "json", "payload");
    rendered = { subject: DEFAULT_SUBJECT, body: payload, payload, webhook_body: null };
  } else if (action.type === "send-notification") {
    rendered = {
      subject: render(templates, action.subject || DEFAULT_SUBJECT, vars, "text", "subject"),
      body: render(templates, action.body ?? "", vars, "text", "body"),
      payload: null,
      webhook_body: null,
    };
  } else {
    rendered = { subject: "", body: "", payload: null, webhook_body: null };
  }
  if (destination?.type === "webhook" && destination.config.body_template) {
    const withText = { ...vars, subject: rendered.subject, body: rendered.body, payload: rendered.payload };
    rendered.webhook_body = render(templates, destination.config.body_template, withText, "json", "the destination's body_template");
  }
  return rendered;
}
