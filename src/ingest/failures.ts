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
  /** The body's bytes as received, kept (as raw_body) so that the request can be replayed exactly. */
  raw?: Uint8Array;
  query?: Record<string, string>;
}

/** Largest body a failure event keeps byte for byte; a larger one cannot be replayed. */
export const MAX_RAW_BODY_BYTES = 512 * 1024;

/**
 * The body's exact bytes: the text itself when it is valid UTF-8, else `{"base64": …}` (the marker).
 * Null when there is none to keep or it is over MAX_RAW_BODY_BYTES.
 */
export function keptBody(raw: Uint8Array | undefined): string | { base64: string } | null {
  if (!raw || raw.byteLength > MAX_RAW_BODY_BYTES) return null;
  const base64 = () => ({ base64: Buffer.from(raw).toString("base64") });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    return base64();
  }
  // Text that JSON escapes heavily (control characters) is kept as base64, which is smaller, so
  // that the failure event stays within the event size limit.
  return JSON.stringify(text).length > (raw.byteLength * 4) / 3 + 16 ? base64() : text;
}

/** The bytes a failure event's raw_body keeps (see keptBody), or null. */
export function bytesOf(kept: unknown): Uint8Array | null {
  if (typeof kept === "string") return new TextEncoder().encode(kept);
  if (kept && typeof kept === "object" && typeof (kept as { base64?: unknown }).base64 === "string")
    return Buffer.from((kept as { base64: string }).base64, "base64");
  return null;
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
  const { raw, ...rest } = details;
  const payload: Record<string, unknown> = { ...rest, body: bounded(details.body), rendered: bounded(details.rendered) };
  if (raw) payload.raw_body = keptBody(raw);
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
