// What a hook request came to, for inlet_hook_requests_total: ingestion notes the webhook a request
// reached and why a refusal was refused; the route counts the answer once it is decided.
import type { Metrics } from "./metrics.ts";

const reached = new WeakMap<Request, string>();
const reasons = new WeakMap<Response, string>();

/** The request reached this webhook (by id: its slug is a secret). */
export function noteWebhook(request: Request, webhookId: string): void {
  reached.set(request, webhookId);
}

/** The response refuses for this reason (a failure event's reason); returns it. */
export function withReason(response: Response, reason: string): Response {
  reasons.set(response, reason);
  return response;
}

/** Statuses whose reason needs no note. */
const REASON_BY_STATUS: Record<number, string> = { 404: "not_found", 429: "too_many_requests", 503: "unavailable", 400: "bad_request" };

export function countHookRequest(metrics: Metrics, request: Request, response: Response): void {
  const reason = reasons.get(response) ?? (response.status < 300 ? "" : (REASON_BY_STATUS[response.status] ?? "other"));
  metrics.hookRequests.inc({ webhook_id: reached.get(request) ?? "", status: String(response.status), reason });
}
