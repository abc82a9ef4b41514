// Reading and parsing request bodies for templates (docs/ingestion.md), bounded by max-body-bytes.
import { bodyReceived } from "../request-limits.ts";
import { isJsonType, JsonTooDeepError } from "../json.ts";
import { parseJson } from "../templates/python.ts";

export class BodyTooLargeError extends Error {
  constructor(
    readonly limit: number,
    decoded = false,
  ) {
    super(`The request body is larger than the limit of ${limit} bytes${decoded ? " once decoded from its Content-Encoding" : ""}`);
  }
}

/**
 * Reads at most `limit` bytes. A Content-Length over the limit is refused before reading
 * anything; a chunked body is counted as it streams and abandoned as soon as it passes the limit.
 */
export async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new BodyTooLargeError(limit);
  if (!request.body) return new Uint8Array(0);
  // With a declared length within the limit the runtime reads exactly that much in one go, which
  // is much cheaper than pulling the stream chunk by chunk; chunked bodies are counted as they come.
  if (declared !== null && /^\d+$/.test(declared)) {
    const bytes = await request.bytes();
    if (bytes.byteLength > limit) throw new BodyTooLargeError(limit);
    return bytes;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  bodyReceived(request);
  // Bun's HTTP parser ends a chunked body at its last chunk, before the trailer section that may
  // follow (RFC 9112 §7.1.2), then reads that section as a new request, answers it 400 and closes
  // the connection: the sender hears 400 whatever this request answers. The parser has done so by
  // the next turn of the event loop when the trailer came with the body, and the caller, seeing
  // the request aborted, stores nothing. (Upstream: oven-sh/bun#32887.)
  await new Promise((resolve) => setImmediate(resolve));
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const decoder = new TextDecoder();

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; tooDeep: boolean } {
  try {
    return { ok: true, value: parseJson(text) };
  } catch (err) {
    return { ok: false, tooDeep: err instanceof JsonTooDeepError };
  }
}

/**
 * A JSON-typed body nested deeper than MAX_JSON_DEPTH, left unparsed: no event could hold it, so
 * the request is refused (pipeline.ts). A failure event shows this text in its place.
 */
export class BodyTooDeep {
  toJSON(): string {
    return "[not shown: nested too deeply]";
  }
}

/** A flat mapping of form fields; a repeated key keeps its last value (as Starlette's FormData does for dict()). */
export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

/**
 * The template's `body`: JSON for application/json (text if it does not parse), a flat mapping for
 * form-urlencoded, and for anything else JSON if it parses, else the text. Empty → "". JSON nested
 * deeper than MAX_JSON_DEPTH is found by one scan and never parsed: BodyTooDeep when the body says
 * it is JSON, else the text.
 */
export function parseBody(contentType: string | null, bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return "";
  const text = decoder.decode(bytes);
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return parseForm(text);
  const json = tryJson(text);
  if (json.ok) return json.value;
  return json.tooDeep && isJsonType(type) ? new BodyTooDeep() : text;
}

/** The query string as a flat mapping (last value wins). */
export function queryMapping(url: string): Record<string, string> {
  const q = url.indexOf("?");
  return q < 0 ? {} : parseForm(url.slice(q + 1).split("#")[0]!);
}
