// The error catalogue: every code a client can see, with where it appears, its HTTP status, its
// WebSocket close code and its message. The API's error codes, the reasons of hook failure events and
// the live feed's end reasons are all derived from this one table, and docs/errors.md lists it (a
// test keeps the two equal). Anything not in here is answered as a generic 500 and logged (app.ts).
import type { TemplateErrorReason } from "./templates/errors.ts";

/**
 * Where a code appears. `api`: an API error body `{"error": {"code", "message"}}` with the status.
 * `hook`: the `reason` of a hook's failure event; the sender hears only the status (hook answers
 * have no body, whatever the code). `feed`: why a live feed ended, as the WebSocket's close code and
 * the event stream's final `end` frame.
 */
export type Kind = "api" | "hook" | "feed";

export interface CatalogueEntry {
  in: readonly Kind[];
  /** The HTTP status, for the API and for hooks alike. */
  status?: number;
  /** The WebSocket close code (RFC 6455 §7.4): for feed ends, and for the websocket's own refusals. */
  close?: number;
  /** The message when the code is used without one of its own. */
  message: string;
  /** When it happens, for docs/errors.md. */
  doc: string;
}

export const ERRORS = {
  // Answers of the API (and of hooks, as a bare status).
  bad_request: {
    in: ["api"],
    status: 400,
    close: 1002,
    message: "The request could not be understood",
    doc: "The request is malformed: its path could not be read, or a websocket was expected; the feed's websocket closes with it on a message other than the one expected",
  },
  invalid_json: {
    in: ["api", "hook"],
    status: 400,
    message: "The request body is not valid JSON",
    doc: "An API body is not valid JSON; on a hook, the template's output is not (the failure event gives the line and column)",
  },
  unauthorized: {
    in: ["api", "hook", "feed"],
    status: 401,
    close: 1008,
    message: "Authentication required",
    doc: "No valid key or session, or a hook with a service account got a request without its key; the feed's websocket closes with it on a missing or bad key, and a live feed ends with it when its key or session stops being valid",
  },
  forbidden: {
    in: ["api"],
    status: 403,
    close: 1008,
    message: "You are not allowed to do that",
    doc: "Valid credentials that may not do this: a webhook-only key reading, a viewer writing, a cross-site request, a used setup link (on the feed's websocket too)",
  },
  invalid_page_token: {
    in: ["api"],
    status: 403,
    message: "The page token is invalid or has expired",
    doc: "A missing page token, or one that was altered or not signed by this server",
  },
  not_found: {
    in: ["api"],
    status: 404,
    message: "Not found",
    doc: "No such route or object; on a hook, an unknown slug or a disabled webhook (the two look the same)",
  },
  conflict: {
    in: ["api"],
    status: 409,
    message: "That conflicts with existing data",
    doc: "The object exists already (a user's email), or setup is already done",
  },
  validation: {
    in: ["api"],
    status: 422,
    close: 1002,
    message: "The request is invalid",
    doc: "A body, query or filter that breaks the schema; the message names the field; the feed's websocket closes with it on an invalid filter",
  },
  template_invalid: {
    in: ["api"],
    status: 422,
    message: "The template is invalid",
    doc: "A template that does not compile (syntax, or over a loop limit), with its `line`",
  },
  rule_violation: {
    in: ["api"],
    status: 422,
    message: "That would break a rule of this server",
    doc: "Valid input that a server rule forbids: removing the last admin, your own role or account, a webhook with neither a service account nor verification while `enforce_webhook_auth` is on",
  },
  request_timeout: {
    in: ["api"],
    status: 408,
    message: "The request body did not arrive in time",
    doc: "The body did not arrive within `--body-timeout-ms`; the connection is closed and nothing is stored",
  },
  payload_too_large: {
    in: ["api"],
    status: 413,
    message: "The request body is too large",
    doc: "An API body larger than its limit",
  },
  too_many_requests: {
    in: ["api"],
    status: 429,
    message: "Too many requests",
    doc: "Too many failed sign-ins, requests in progress from one address, requests for unknown hooks from one address, waiting reads, or a full write queue; `Retry-After` says when to retry",
  },
  unavailable: {
    in: ["api"],
    status: 503,
    message: "The service is temporarily unavailable",
    doc: "Storage failed or is stopping, a read waited too long behind others, or more requests are in flight than `--max-requests-in-flight`; `Retry-After` says when to retry",
  },
  // A feed's backfill past the time limit is refused like a bad filter (1002): reconnecting with the
  // same filter would only time out again.
  query_timeout: {
    in: ["api", "feed"],
    status: 503,
    close: 1002,
    message: "The query took too long and was stopped",
    doc: "A read (or a live feed's backfill) not done within the read time limit, and stopped",
  },
  internal: {
    in: ["api"],
    status: 500,
    message: "Internal server error",
    doc: "An unexpected error; the server logs it, the answer never shows it",
  },
  // The request's edge (src/http/): its Host, and the bounds of API bodies.
  invalid_host: {
    in: ["api"],
    status: 400,
    message: "The Host header is missing or malformed",
    doc: "The Host header is missing or not a host name",
  },
  // RFC 9110 §15.5.20: the server is not willing to answer for that host name.
  host_not_allowed: {
    in: ["api"],
    status: 421,
    message: "This server does not answer for that host name",
    doc: "A host name this server does not answer for (see `--allowed-hosts`)",
  },
  json_too_deep: {
    in: ["api"],
    status: 422,
    message: "The JSON body is nested too deeply",
    doc: "An API body nested deeper than its limit of arrays and objects",
  },
  // RFC 6585 §5.
  headers_too_large: {
    in: ["api"],
    status: 431,
    message: "The request's headers are too many or too large",
    doc: "More headers than `--max-header-count`, or more bytes of them than `--max-header-bytes`; the connection is closed",
  },
  // Automations (src/automations/validate.ts).
  trigger_too_broad: {
    in: ["api"],
    status: 422,
    message: "The trigger matches every event",
    doc: "An automation's event trigger with an empty `expect` and an empty `match` (it would count every event, its own included)",
  },
  unsupported_action: {
    in: ["api"],
    status: 422,
    message: "This action type is not supported",
    doc: "An automation action of a type Inlet does not run (Prefect's orchestration actions such as `run-deployment`); the message names the type and where it is",
  },

  // Reasons of hook failure events (prefect-cloud.webhook.failed): one per pipeline stage.
  template_syntax: {
    in: ["hook"],
    status: 400,
    message: "The template has a syntax error",
    doc: "The webhook's template does not parse",
  },
  template_error: {
    in: ["hook"],
    status: 400,
    message: "The template failed while rendering",
    doc: "Rendering raised an error (an undefined name, a wrong type, a blocked attribute)",
  },
  template_limit: {
    in: ["hook"],
    status: 400,
    message: "The template went over a limit",
    doc: "Rendering went over a budget: time, steps, output size or recursion",
  },
  invalid_event: {
    in: ["hook"],
    status: 400,
    message: "The rendered event is invalid",
    doc: "The rendered JSON is not a valid Prefect event, or the body or event is nested too deeply",
  },
  body_too_large: {
    in: ["hook"],
    status: 413,
    message: "The request body is too large",
    doc: "A hook's body larger than `--max-body-bytes` (refused without reading it whole), or larger once decoded from its `Content-Encoding`",
  },
  invalid_body: {
    in: ["hook"],
    status: 400,
    message: "The request body could not be decoded",
    doc: "A body with a `Content-Encoding` (gzip, deflate, br) whose bytes are not in that encoding",
  },
  signature_invalid: {
    in: ["hook"],
    status: 401,
    message: "The request's signature is missing or wrong",
    doc: "A webhook with `verification` got a request whose signature is missing, malformed or made with none of its secrets (GitHub's legacy sha1-only header included)",
  },
  timestamp_out_of_window: {
    in: ["hook"],
    status: 401,
    message: "The request was signed too long ago",
    doc: "A correctly signed request whose signed timestamp is outside the webhook's window (300 s, or its `tolerance_seconds`)",
  },

  // Ends of a live feed.
  too_slow: {
    in: ["feed"],
    close: 1013,
    message: "Too slow: too many events waiting; reconnect to resume",
    doc: "The subscriber fell too far behind the events meant for it",
  },
  shutdown: {
    in: ["feed"],
    close: 1001,
    message: "The server is shutting down",
    doc: "The server is stopping, or reading the stored events failed",
  },
} as const satisfies Record<string, CatalogueEntry>;

type Catalogue = typeof ERRORS;
/** Every code. */
export type Code = keyof Catalogue;
type CodesIn<K extends Kind> = { [C in Code]: K extends Catalogue[C]["in"][number] ? C : never }[Code];
/** The API's error codes. */
export type ErrorCode = CodesIn<"api">;
/** The `reason` of a hook failure event. */
export type FailureReason = CodesIn<"hook">;
/** Why a live feed ended. */
export type EndReason = CodesIn<"feed">;
/** Codes with an HTTP status. */
export type CodeWithStatus = { [C in Code]: Catalogue[C] extends { status: number } ? C : never }[Code];
/** Codes with a WebSocket close code. */
export type CodeWithClose = { [C in Code]: Catalogue[C] extends { close: number } ? C : never }[Code];

// The templates module keeps its own union (it imports nothing app-level); it must be exactly the
// catalogue's template reasons.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type TemplateReasonsCatalogued = Assert<Same<TemplateErrorReason, Extract<FailureReason, `template_${string}`>>>;

export const statusOf = (code: CodeWithStatus): number => ERRORS[code].status;
export const closeCodeOf = (code: CodeWithClose): number => ERRORS[code].close;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields merged into the error object (e.g. `line` for template errors). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERRORS[code].message);
    this.name = "AppError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  toBody(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const invalid = (message: string, details?: Record<string, unknown>) => new AppError("validation", message, details);

/** An API answer: the catalogue's body and status. */
export function errorResponse(err: AppError, headers: Record<string, string> = {}): Response {
  return Response.json(err.toBody(), { status: err.status, headers });
}

/** A hook's answer: the code's status and nothing else (hooks never explain themselves to a sender). */
export function hookResponse(code: CodeWithStatus, headers?: Record<string, string>): Response {
  return new Response(null, { status: statusOf(code), headers });
}
