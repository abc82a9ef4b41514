// API request bodies are JSON objects, bounded in bytes and in nesting before anything parses or
// validates them. Schema validation and the errors it reports cost time and memory that grow with
// the square of the nesting (14,000 levels in an 84 KB sign-in took 1.3 GB), and past a few thousand
// levels they overflow the stack; a linear scan of the text costs next to nothing. Applied to every
// API route (before sign-in too: bodies are parsed and validated before the access check runs).
import { AppError, invalid } from "../errors.ts";
import { BodyTooLargeError, readBodyLimited } from "../ingest/body.ts";
import { isJsonObject, isJsonType, nestedDeeper } from "../json.ts";

export interface JsonBodyRules {
  maxBytes: number;
  maxDepth: number;
  /**
   * Routes ("METHOD /route") that read their own body, with the nesting they accept. A copy of the
   * body is checked against the bounds and the route's own parser reads the original.
   */
  selfParsed: ReadonlyMap<string, number>;
}

async function readText(request: Request, rules: { maxBytes: number; maxDepth: number }): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readBodyLimited(request, rules.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new AppError("payload_too_large", err.message);
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
      if (!isJsonType((request.headers.get("content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase()))
        throw invalid("body: must be JSON, sent with Content-Type: application/json");
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
