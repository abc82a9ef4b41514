// Request → event: render the template, parse its output as JSON, validate it as a Prefect event,
// add the defaults and the webhook as a related resource. Each stage fails with its own reason.
// Ingestion, the playground API and `inlet template render` all run this same code.
import type { FailureReason } from "../errors.ts";
import { isJsonObject, JsonTooDeepError, MAX_JSON_DEPTH, parseJsonExact } from "../json.ts";
import { EventValidationError, TOO_DEEP, toEvent, type Event } from "../events/model.ts";
import { compileTemplate, renderTemplate, TemplateError, type CompiledTemplate, type TemplateRequest } from "../templates/render.ts";
import { BodyTooDeep, parseBody } from "./body.ts";
import { templateHeaders } from "./headers.ts";
import { webhookRelated, type WebhookIdentity } from "../webhooks/resource.ts";
import { findJsonProblem } from "./json-error.ts";

export interface PipelineError {
  reason: FailureReason;
  message: string;
  /** The template line for template errors, the line of the rendered output for invalid_json. */
  line: number | null;
}

export interface PipelineResult {
  rendered: string | null;
  event: Event | null;
  error: PipelineError | null;
}

function fail(reason: FailureReason, message: string, line: number | null, rendered: string | null): PipelineResult {
  return { rendered, event: null, error: { reason, message, line } };
}

export function runPipeline(template: CompiledTemplate, request: TemplateRequest, webhook: WebhookIdentity, now: number): PipelineResult {
  if (request.body instanceof BodyTooDeep) {
    return fail("invalid_event", `The request body is JSON nested deeper than ${MAX_JSON_DEPTH} levels: no event can hold it`, null, null);
  }
  let rendered: string;
  try {
    rendered = renderTemplate(template, request);
  } catch (err) {
    if (err instanceof TemplateError) return fail(err.reason, err.message, err.line, null);
    throw err;
  }

  let parsed: unknown;
  try {
    parsed = parseJsonExact(rendered, MAX_JSON_DEPTH);
  } catch (err) {
    if (err instanceof JsonTooDeepError) return fail("invalid_event", `The rendered event is invalid: ${TOO_DEEP}`, null, rendered);
    const problem = findJsonProblem(rendered);
    const where = problem ? `line ${problem.line}, column ${problem.column}: ${problem.message}` : "it could not be parsed";
    return fail("invalid_json", `The template did not render valid JSON (${where})`, problem?.line ?? null, rendered);
  }

  // Only an object gets the defaults; anything else fails validation below.
  if (isJsonObject(parsed)) {
    const obj = parsed as Record<string, unknown>;
    if (obj.related === undefined || obj.related === null) obj.related = [webhookRelated(webhook)];
    else if (Array.isArray(obj.related)) obj.related = [...obj.related, webhookRelated(webhook)];
    // Prefect's default payload is a debugging record of the request.
    if (!("payload" in obj)) obj.payload = { method: request.method, headers: request.headers, body: request.body };
  }

  try {
    return { rendered, event: toEvent(parsed, { now }), error: null };
  } catch (err) {
    if (err instanceof EventValidationError) return fail("invalid_event", `The rendered event is invalid: ${err.message}`, null, rendered);
    throw err;
  }
}

/** A request as the playground and the CLI describe it: the body as text. */
export interface SampleRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
  query?: Record<string, string>;
}

/** Builds the template's view of a sample request exactly as ingestion builds it from a real one. */
export function sampleToTemplateRequest(sample: SampleRequest): TemplateRequest {
  const headers = templateHeaders(sample.headers);
  const bytes = new TextEncoder().encode(sample.body);
  return {
    method: sample.method.toUpperCase(),
    headers,
    body: parseBody(headers["content-type"] ?? null, bytes),
    query: sample.query ?? {},
  };
}

/** Compiles and runs a template on a sample request; nothing is stored. */
export function renderSample(
  template: string,
  sample: SampleRequest,
  opts: { webhook?: WebhookIdentity; now?: number; compile?: (source: string) => CompiledTemplate } = {},
): PipelineResult {
  let compiled: CompiledTemplate;
  try {
    compiled = (opts.compile ?? compileTemplate)(template);
  } catch (err) {
    if (err instanceof TemplateError) return fail(err.reason, err.message, err.line, null);
    throw err;
  }
  const webhook = opts.webhook ?? { id: "00000000-0000-0000-0000-000000000000", name: "playground" };
  return runPipeline(compiled, sampleToTemplateRequest(sample), webhook, opts.now ?? Date.now());
}
