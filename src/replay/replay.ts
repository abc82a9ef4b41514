// Replay: a request kept in a failure event is run again through its webhook's current template.
// Each failure becomes at most one event (with `follows` set to the failure's id); failures of
// authentication or size are never replayed, and a replay that fails again stores nothing, not
// even a new failure event.
import type { AppContext } from "../context.ts";
import { dedupKeyOf } from "../dedup/key.ts";
import type { FailureReason } from "../errors.ts";
import type { Event } from "../events/model.ts";
import { parseBody } from "../ingest/body.ts";
import { decodeBody } from "../ingest/encoding.ts";
import { bytesOf, FAILED_EVENT } from "../ingest/failures.ts";
import { runPipeline } from "../ingest/pipeline.ts";
import { renderTemplate, TemplateError, type TemplateRequest } from "../templates/render.ts";
import { webhookResourceId } from "../webhooks/resource.ts";
import type { WebhookRow } from "../webhooks/store.ts";
import { RESOURCE_ID } from "../events/model.ts";

export interface ReplayResult {
  failure_event_id: string;
  status: "stored" | "failed" | "skipped";
  event_id?: string;
  error?: string;
}

/** Refused before the template ran: replaying them would skip a check rather than fix a template. */
export const NEVER_REPLAYED: ReadonlySet<FailureReason> = new Set([
  "signature_invalid",
  "timestamp_out_of_window",
  "unauthorized",
  "body_too_large",
  "invalid_body",
]);

/** The dedup key under which a failure's replay is recorded (a template cannot render a NUL). */
export const replayKey = (failureId: string) => `\u0000replay ${failureId}`;

const skipped = (id: string, error: string): ReplayResult => ({ failure_event_id: id, status: "skipped", error });

/** The request a failure event kept, or why it cannot be replayed. */
export function keptRequest(failure: Event, webhookId: string, maxBodyBytes: number): TemplateRequest | string {
  if (failure.event !== FAILED_EVENT || failure.resource[RESOURCE_ID] !== webhookResourceId(webhookId))
    return "not a failure event of this webhook";
  const p = failure.payload as Record<string, unknown>;
  if (NEVER_REPLAYED.has(p.reason as FailureReason)) return `failures for ${String(p.reason)} are never replayed`;
  const bytes = bytesOf(p.raw_body);
  if (!bytes) return "the failure event does not keep the request's body (it was too large, or kept before replay existed)";
  const headers = (p.headers ?? {}) as Record<string, string>;
  let decoded: Uint8Array;
  try {
    // Kept as sent: decoded as ingestion decodes it.
    decoded = decodeBody(headers["content-encoding"] ?? null, bytes, maxBodyBytes);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return {
    method: typeof p.method === "string" ? p.method : "POST",
    headers,
    body: parseBody(headers["content-type"] ?? null, decoded),
    query: (p.query ?? {}) as Record<string, string>,
  };
}

/** Replays failures, in the order given. A dry run stores nothing and reports what a real run would do. */
export class Replayer {
  /** Failures being replayed right now: a second replay of one waits for nothing and is skipped. */
  private readonly running = new Set<string>();

  constructor(private readonly ctx: AppContext) {}

  async replay(webhook: WebhookRow, failures: (Event | string)[], dryRun: boolean): Promise<ReplayResult[]> {
    const results: ReplayResult[] = [];
    for (const failure of failures) results.push(await this.one(webhook, failure, dryRun));
    return results;
  }

  private async one(webhook: WebhookRow, failure: Event | string, dryRun: boolean): Promise<ReplayResult> {
    if (typeof failure === "string") return skipped(failure, "not a failure event of this webhook");
    const id = failure.id;
    const request = keptRequest(failure, webhook.id, this.ctx.config.maxBodyBytes);
    if (typeof request === "string") return skipped(id, request);
    const { ctx } = this;
    const before = ctx.dedup.storedUnder(webhook.id, replayKey(id));
    if (before || this.running.has(id)) return skipped(id, `already replayed${before ? ` into event ${before}` : ""}`);

    const now = ctx.clock.now();
    let result;
    try {
      result = runPipeline(ctx.templates.compile(webhook.template), request, webhook, now);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return { failure_event_id: id, status: "failed", error: err.message };
    }
    if (result.error || !result.event) return { failure_event_id: id, status: "failed", error: result.error!.message };
    const dedupKey = webhook.dedupKey ? dedupKeyOf(() => renderTemplate(ctx.templates.compile(webhook.dedupKey!), request)) : "";
    const stored = dedupKey ? ctx.dedup.storedUnder(webhook.id, dedupKey) : null;
    if (stored) return skipped(id, `a redelivery of this request was stored already, as event ${stored}`);
    if (dryRun) return { failure_event_id: id, status: "stored" };

    const event: Event = { ...result.event, follows: id };
    this.running.add(id);
    try {
      await ctx.events.write(event);
      ctx.dedup.record(webhook.id, replayKey(id), event.id, ctx.clock.now());
      if (dedupKey) ctx.dedup.record(webhook.id, dedupKey, event.id, ctx.clock.now());
    } finally {
      this.running.delete(id);
    }
    return { failure_event_id: id, status: "stored", event_id: event.id };
  }
}
