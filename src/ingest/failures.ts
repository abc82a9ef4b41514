// prefect-cloud.webhook.failed events: why a hook "did not fire", rate-limited per webhook so that
// a flood of bad requests cannot fill the disk (excess failures are counted, not stored).
import { DEFAULT_FAILURE_BURST, DEFAULT_FAILURE_WEBHOOKS_TRACKED, DEFAULT_FAILURES_PER_MINUTE } from "../config.ts";
import { MAX_EVENT_DEPTH, toEvent, type Event } from "../events/model.ts";
import { nestedDeeper } from "../json.ts";
import { webhookResource, type WebhookIdentity } from "../webhooks/resource.ts";
import type { FailureReason } from "../errors.ts";

export const FAILED_EVENT = "prefect-cloud.webhook.failed";

export interface FailureDetails {
  method: string;
  headers: Record<string, string>;
  body: unknown;
  rendered: string | null;
  error: string;
  reason: FailureReason;
}

/** Largest body or rendered text a failure event keeps, so that it always fits the event size limit. */
export const MAX_FAILURE_FIELD_BYTES = 64 * 1024;

function bounded(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = typeof value === "string" ? value : JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) return "[not shown: nested too deeply]";
    throw err;
  }
  if (text === undefined) return value;
  // Kept as JSON text when, as a value, it would nest the failure event past what an event may hold
  // (the body sits two levels down, under payload); the event then always stores.
  const tooDeep = typeof value !== "string" && nestedDeeper(text, MAX_EVENT_DEPTH - 2);
  if (Buffer.byteLength(text) <= MAX_FAILURE_FIELD_BYTES) return tooDeep ? text : value;
  return `${Buffer.from(text)
    .subarray(0, MAX_FAILURE_FIELD_BYTES)
    .toString()
    .replace(/\uFFFD$/, "")}… [truncated]`;
}

export function failureEvent(webhook: WebhookIdentity, details: FailureDetails, now: number, suppressed: number): Event {
  const payload: Record<string, unknown> = { ...details, body: bounded(details.body), rendered: bounded(details.rendered) };
  if (suppressed > 0) payload.suppressed = suppressed;
  return toEvent(
    {
      event: FAILED_EVENT,
      resource: webhookResource(webhook),
      payload,
    },
    { now },
  );
}

/** Token bucket per webhook: `burst` failure events at once, then `perMinute` a minute. */
export class FailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; suppressed: number }>();

  constructor(
    private readonly burst = DEFAULT_FAILURE_BURST,
    private readonly perMinute = DEFAULT_FAILURES_PER_MINUTE,
    private readonly maxTracked = DEFAULT_FAILURE_WEBHOOKS_TRACKED,
  ) {}

  /** Whether a failure event may be stored now, and how many were dropped since the last one. */
  take(webhookId: string, now: number): { allowed: boolean; suppressed: number } {
    let b = this.buckets.get(webhookId);
    if (!b) {
      if (this.buckets.size >= this.maxTracked) this.buckets.clear();
      b = { tokens: this.burst, at: now, suppressed: 0 };
      this.buckets.set(webhookId, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    b.at = now;
    if (b.tokens < 1) {
      b.suppressed++;
      return { allowed: false, suppressed: b.suppressed };
    }
    b.tokens -= 1;
    const suppressed = b.suppressed;
    b.suppressed = 0;
    return { allowed: true, suppressed };
  }

  /** Per webhook, the failures dropped since its last stored one (not yet in any event's `suppressed`). */
  notStored(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, b] of this.buckets) if (b.suppressed > 0) out[id] = b.suppressed;
    return out;
  }
}
