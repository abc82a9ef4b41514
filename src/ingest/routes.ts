// /hooks/{slug}: a sender's request becomes an event, stored before the sender hears 204.
// Deliberately quiet: empty bodies, and unknown or disabled hooks are indistinguishable (404).
import { Elysia } from "elysia";
import { accessControl } from "../auth/access.ts";
import { bearerToken } from "../auth/keys.ts";
import type { AppContext } from "../context.ts";
import { hookResponse } from "../errors.ts";
import { renderTemplate, TemplateError, type TemplateRequest } from "../templates/render.ts";
import type { IngestWebhook } from "../webhooks/store.ts";
import { SLUG_PATTERN } from "../webhooks/slug.ts";
import { BodyTooDeep, BodyTooLargeError, parseBody, queryMapping, readBodyLimited } from "./body.ts";
import { templateHeaders } from "./headers.ts";
import { failureEvent, type FailureDetails } from "./failures.ts";
import { cloudEventsValidation, eventGridValidation, slackUrlVerification } from "./handshake.ts";
import { verifySignature } from "../verification/verify.ts";
import type { Verification } from "../verification/model.ts";
import { SecretKeyError } from "../verification/secret-box.ts";
import { dedupKeyOf } from "../dedup/key.ts";
import { runPipeline } from "./pipeline.ts";
import { QueueFullError } from "../events/store/group-commit.ts";

const METHODS = new Set(["GET", "HEAD", "DELETE", "POST", "PUT", "PATCH", "OPTIONS"]);

export function ingestRoutes(ctx: AppContext) {
  const { events } = ctx;
  const limiter = ctx.failureLimiter;
  /** Dedup keys of requests being stored right now: a redelivery racing its original is a duplicate too. */
  const inFlight = new Set<string>();

  /** Stores a failure event (unless this webhook is over its failure budget); never throws. */
  async function recordFailure(webhook: IngestWebhook, details: FailureDetails): Promise<void> {
    const now = ctx.clock.now();
    const { allowed, suppressed } = limiter.take(webhook.id, now);
    if (!allowed) return;
    try {
      await events.write(failureEvent(webhook, details, now, suppressed));
    } catch (error) {
      ctx.logger.warn("could not store a webhook failure event", { webhook: webhook.id, error: String(error) });
    }
  }

  /** Refuses a request to a known webhook: stores why, and answers with the reason's status. */
  async function refuse(webhook: IngestWebhook, details: FailureDetails): Promise<Response> {
    await recordFailure(webhook, details);
    return hookResponse(details.reason);
  }

  /** The connection closed under a request: not the server's fault, so a quiet line rather than an error. */
  function connectionGone(webhook: IngestWebhook, when: string): Response {
    ctx.logger.debug(`the connection closed ${when}; nothing stored`, { webhook: webhook.id });
    return hookResponse("bad_request");
  }

  async function receive(request: Request, slug: string): Promise<Response> {
    const method = request.method.toUpperCase();
    const webhook = SLUG_PATTERN.test(slug) ? ctx.webhooks.getBySlug(slug) : null;
    if (!webhook || !webhook.enabled || !METHODS.has(method)) return hookResponse("not_found");
    const headers = templateHeaders(request.headers);

    if (webhook.serviceAccountId) {
      const token = bearerToken(request.headers.get("authorization"));
      const account = token ? ctx.serviceAccounts.authenticate(token) : null;
      if (account?.id !== webhook.serviceAccountId) {
        const error = token
          ? "The bearer token is not a key of this webhook's service account"
          : "This webhook requires Authorization: Bearer <service account key>";
        return refuse(webhook, { method, headers, body: null, rendered: null, error, reason: "unauthorized" });
      }
    }
    if (method === "OPTIONS") return cloudEventsValidation(request);

    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(request, ctx.config.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return refuse(webhook, { method, headers, body: null, rendered: null, error: err.message, reason: "body_too_large" });
      }
      // Aborted: the sender went away, or the body deadline passed and the connection was closed.
      if (request.signal.aborted || (err as { name?: unknown } | null)?.name === "AbortError")
        return connectionGone(webhook, "before the body arrived");
      throw err;
    }
    // On the exact bytes received, before anything parses them.
    let verification: Verification | null = null;
    try {
      verification = webhook.verification ? ctx.secrets.open(webhook.verification) : null;
    } catch (err) {
      if (!(err instanceof SecretKeyError)) throw err;
      // A database restored without its secrets.key: nothing can be checked until the admin acts.
      ctx.logger.error("cannot open a webhook's verification secrets", { webhook: webhook.id, error: err.message });
      return hookResponse("unavailable", { "retry-after": "60" });
    }
    const check = verification ? verifySignature(verification, request.headers, bytes, ctx.clock.now()) : null;
    const body = parseBody(headers["content-type"] ?? null, bytes);
    if (check && !check.ok) return refuse(webhook, { method, headers, body, rendered: null, error: check.message, reason: check.reason });
    if (method === "POST") {
      const handshake = verification?.scheme === "slack" ? slackUrlVerification(body) : eventGridValidation(headers, body);
      if (handshake) return handshake;
    }

    const templateRequest = { method, headers, body, query: queryMapping(request.url) };
    const dedupKey = webhook.dedupKey ? dedupKeyOf(() => renderTemplate(ctx.templates.compile(webhook.dedupKey!), templateRequest)) : "";
    const flight = `${webhook.id}\n${dedupKey}`;
    if (dedupKey && (inFlight.has(flight) || ctx.dedup.storedUnder(webhook.id, dedupKey))) {
      ctx.webhooks.countDuplicate(webhook.id);
      return new Response(null, { status: 204 });
    }
    if (!dedupKey) return store(request, webhook, templateRequest, bytes, "");
    inFlight.add(flight);
    try {
      return await store(request, webhook, templateRequest, bytes, dedupKey);
    } finally {
      inFlight.delete(flight);
    }
  }

  /** Runs the pipeline and stores the event, or the failure event. */
  async function store(
    request: Request,
    webhook: IngestWebhook,
    templateRequest: TemplateRequest,
    raw: Uint8Array,
    dedupKey: string,
  ): Promise<Response> {
    const { method, headers, body, query } = templateRequest;
    let result;
    try {
      result = runPipeline(ctx.templates.compile(webhook.template), templateRequest, webhook, ctx.clock.now());
    } catch (err) {
      // A stored template that no longer compiles (e.g. saved before a limit existed).
      if (!(err instanceof TemplateError)) throw err;
      result = { rendered: null, event: null, error: { reason: err.reason, message: err.message, line: err.line } };
    }
    if (result.error || !result.event) {
      const error = result.error!;
      // A body too deep for any event cannot be replayed either: its bytes are not worth keeping.
      const kept = body instanceof BodyTooDeep ? undefined : raw;
      const details = { method, headers, body, rendered: result.rendered, error: error.message, reason: error.reason, raw: kept, query };
      return refuse(webhook, details);
    }

    // Nobody would hear the 204, and a sender that saw its connection fail sends again. This is
    // also how a chunked body with a trailer section ends: see readBodyLimited.
    if (request.signal.aborted) return connectionGone(webhook, "before the event was stored");
    try {
      // The request as it arrived, kept with its event for the event page and the playground.
      const kept =
        ctx.config.rawRetentionDays > 0 ? { webhookId: webhook.id, method, query: rawQuery(request.url), headers, body: raw } : undefined;
      await events.write(result.event, kept);
    } catch (err) {
      if (err instanceof QueueFullError) return hookResponse("too_many_requests", { "retry-after": "1" });
      return hookResponse("unavailable", { "retry-after": "5" });
    }
    if (dedupKey) ctx.dedup.record(webhook.id, dedupKey, result.event.id, ctx.clock.now());
    return new Response(null, { status: 204 });
  }

  // Public: a webhook's own key, when it has one, is checked in receive.
  return new Elysia()
    .use(accessControl())
    .all("/hooks/:slug", ({ request, params }) => receive(request, params.slug), { access: "public", parse: "none" });
}

/** The query string of a URL, without its `?`. */
function rawQuery(url: string): string {
  const mark = url.indexOf("?");
  return mark < 0 ? "" : url.slice(mark + 1).replace(/#.*$/, "");
}
