// API request bodies are JSON objects. Elysia would take a form as readily as JSON, and when every
// field of a route's schema is optional it skips validating a body that is not a non-empty object
// (`true`, `[]`, a form's fields), which made such a PATCH a silent no-op. Applied to every API route.
import { AppError, invalid } from "../errors.ts";
import { isJsonObject } from "../json.ts";

export interface JsonBodyRules {
  /** Routes ("METHOD /route") that read their own body; their parser reads it untouched. */
  selfParsed: ReadonlySet<string>;
}

/** application/json, or a structured syntax suffix (RFC 6839 §3.1: application/problem+json, …). */
function isJsonType(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

/**
 * The API's parse hook. A body must be JSON (Content-Type application/json) and a JSON object; an
 * empty body or `null` reads as null, which POST routes may take as "no criteria" (Prefect's clients
 * send it to the filters) and PUT or PATCH never do. Without a body, the route sees none.
 */
export function parseApiBody(rules: JsonBodyRules) {
  return async function apiJsonBody({ request, route }: { request: Request; route: string }): Promise<unknown> {
    if (!request.body || rules.selfParsed.has(`${request.method} ${route}`)) return undefined;
    const text = await request.text();
    let value: unknown = null;
    if (text.trim() !== "") {
      if (!isJsonType(request.headers.get("content-type"))) throw invalid("body: must be JSON, sent with Content-Type: application/json");
      try {
        value = JSON.parse(text);
      } catch {
        throw new AppError("invalid_json");
      }
    }
    if (isJsonObject(value) || (value === null && request.method !== "PUT" && request.method !== "PATCH")) return value;
    throw invalid("body: must be a JSON object");
  };
}
