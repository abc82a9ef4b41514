// Template failures carry a stable reason (the failure event's `reason`) and, where known, the
// 1-based template line. Messages are written for the template's author: never a JS stack or path.

export type TemplateErrorReason = "template_syntax" | "template_error" | "template_limit";

export class TemplateError extends Error {
  readonly reason: TemplateErrorReason;
  line: number | null;
  /** The message without the "line N: " prefix. */
  readonly detail: string;

  constructor(reason: TemplateErrorReason, detail: string, line: number | null = null) {
    super(line === null ? detail : `line ${line}: ${detail}`);
    this.name = "TemplateError";
    this.reason = reason;
    this.detail = detail;
    this.line = line;
  }

  withLine(line: number | null): TemplateError {
    if (this.line !== null || line === null) return this;
    return new TemplateError(this.reason, this.detail, line);
  }
}

/** A render-time failure that Jinja would raise (TypeError, UndefinedError, SecurityError …). */
export const fail = (detail: string): never => {
  throw new TemplateError("template_error", detail);
};

/** A broken budget: time, steps, sizes, recursion. */
export const limit = (detail: string): never => {
  throw new TemplateError("template_limit", detail);
};
