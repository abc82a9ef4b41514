// API request bodies are JSON objects, bounded in bytes and in nesting before anything parses or
// validates them. Schema validation and the errors it reports cost time and memory that grow with
// the square of the nesting (14,000 levels in an 84 KB sign-in took 1.3 GB), and past a few thousand
// levels they overflow the stack; a linear scan of the text costs next to nothing. Applied to every
// API route (before sign-in too: bodies are parsed and validated before the guard runs).
import { AppError, invalid } from "../errors.ts";
import { BodyTooLargeError, readBodyLimited } from "../ingest/body.ts";
import { isJsonObject } from "../json.ts";

export interface JsonBodyRules {
  maxBytes: number;
  maxDepth: number;
  /**
   * Routes ("METHOD /route") that read their own body, with the nesting they accept. A copy of the
   * body is checked against the bounds and the route's own parser reads the original.
   */
  selfParsed: ReadonlyMap<string, number>;
}

/** Whether JSON text nests arrays and objects deeper than `limit`; brackets inside strings do not count. */
export function nestedDeeper(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // an escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** application/json, or a structured syntax suffix (RFC 6839 §3.1: application/problem+json, …). */
function isJsonType(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

async function readText(request: Request, rules: { maxBytes: number; maxDepth: number }): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readBodyLimited(request, rules.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new AppError("payload_too_large", `The request body is larger than the limit of ${rules.maxBytes} bytes`);
    throw err;
  }
  const text = new TextDecoder().decode(bytes);
  if (nestedDeeper(text, rules.maxDepth)) {
    throw new AppError("json_too_deep", `The JSON body is nested too deeply (at most ${rules.maxDepth} levels of arrays and objects)`);
  }
  return text;
}

/**
 * The API's parse hook. A body must be JSON (Content-Type application/json) and a JSON object; an
 * empty body or `null` reads as null, which POST routes may take as "no criteria" (Prefect's clients
 * send it to the filters) and PUT or PATCH never do. Without a body, the route sees none.
 */
export function parseApiBody(rules: JsonBodyRules) {
  return async function apiJsonBody({ request, route }: { request: Request; route: string }): Promise<unknown> {
    if (!request.body) return undefined;
    const ownDepth = rules.selfParsed.get(`${request.method} ${route}`);
    if (ownDepth !== undefined) {
      await readText(request.clone(), { maxBytes: rules.maxBytes, maxDepth: ownDepth });
      return undefined;
    }
    const text = await readText(request, rules);
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
