// Subscription handshakes some senders perform before delivering events.

/**
 * CloudEvents HTTP webhook validation (CloudEvents "HTTP 1.1 Web Hooks for Event Delivery" §4.1):
 * an OPTIONS request with WebHook-Request-Origin is answered with WebHook-Allowed-Origin.
 */
export function cloudEventsValidation(request: Request): Response {
  const origin = request.headers.get("webhook-request-origin");
  if (!origin) return new Response(null, { status: 204, headers: { allow: "GET, HEAD, DELETE, POST, PUT, PATCH, OPTIONS" } });
  const headers: Record<string, string> = { "webhook-allowed-origin": origin, allow: "POST, OPTIONS" };
  if (request.headers.get("webhook-request-rate")) headers["webhook-allowed-rate"] = "*";
  return new Response(null, { status: 200, headers });
}

/**
 * Azure Event Grid (Event Grid schema) subscription validation: a POST with
 * `aeg-event-type: SubscriptionValidation` whose body holds a
 * Microsoft.EventGrid.SubscriptionValidationEvent. Answered with 200 {"validationResponse": code}.
 * Returns null when the request is not such a handshake.
 */
export function eventGridValidation(headers: Record<string, string>, body: unknown): Response | null {
  if (headers["aeg-event-type"]?.toLowerCase() !== "subscriptionvalidation") return null;
  const list = Array.isArray(body) ? body : [body];
  for (const item of list) {
    if (item && typeof item === "object") {
      const ev = item as { eventType?: unknown; data?: { validationCode?: unknown } };
      if (ev.eventType === "Microsoft.EventGrid.SubscriptionValidationEvent" && typeof ev.data?.validationCode === "string") {
        return Response.json({ validationResponse: ev.data.validationCode }, { status: 200 });
      }
    }
  }
  return null;
}

/**
 * Slack's url_verification: when a Request URL is saved, Slack sends a signed
 * `{"type": "url_verification", "challenge": …}` and expects the challenge back. Only asked after
 * the signature passed, so an unsigned one never gets its challenge. Null when not one.
 */
export function slackUrlVerification(body: unknown): Response | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const { type, challenge } = body as { type?: unknown; challenge?: unknown };
  if (type !== "url_verification" || typeof challenge !== "string") return null;
  return Response.json({ challenge }, { status: 200 });
}
