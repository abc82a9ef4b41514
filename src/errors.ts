// The error catalogue: every error a client can see has a stable code, a status and a message.
// Anything not in here is answered as a generic 500 and logged (see app.ts).

export const ERRORS = {
  bad_request: { status: 400, message: "The request could not be understood" },
  invalid_json: { status: 400, message: "The request body is not valid JSON" },
  unauthorized: { status: 401, message: "Authentication required" },
  forbidden: { status: 403, message: "You are not allowed to do that" },
  invalid_page_token: { status: 403, message: "The page token is invalid or has expired" },
  not_found: { status: 404, message: "Not found" },
  conflict: { status: 409, message: "That conflicts with existing data" },
  validation: { status: 422, message: "The request is invalid" },
  template_invalid: { status: 422, message: "The template is invalid" },
  rule_violation: { status: 422, message: "That would break a rule of this server" },
  request_timeout: { status: 408, message: "The request body did not arrive in time" },
  payload_too_large: { status: 413, message: "The request body is too large" },
  too_many_requests: { status: 429, message: "Too many requests" },
  unavailable: { status: 503, message: "The service is temporarily unavailable" },
  query_timeout: { status: 503, message: "The query took too long and was stopped" },
  internal: { status: 500, message: "Internal server error" },
  // The request's edge (src/http/): its Host, and the bounds of API bodies.
  invalid_host: { status: 400, message: "The Host header is missing or malformed" },
  // RFC 9110 §15.5.20: the server is not willing to answer for that host name.
  host_not_allowed: { status: 421, message: "This server does not answer for that host name" },
  json_too_deep: { status: 422, message: "The JSON body is nested too deeply" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

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
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new AppError("validation", message, details);

export function errorResponse(err: AppError, headers: Record<string, string> = {}): Response {
  return Response.json(err.toBody(), { status: err.status, headers });
}
